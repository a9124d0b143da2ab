using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Security.Cryptography;
using System.Text;

namespace Klaxon.Delivery;

/// <summary>A delivery that failed: why, and whether trying again can help (a 5xx SMTP reply cannot).</summary>
public sealed class DeliveryFailure(string message, bool permanent, Exception? inner = null) : Exception(message, inner)
{
    public bool Permanent { get; } = permanent;
}

/// <summary>One mail, ready to send.</summary>
public sealed record OutgoingMail(string To, RenderedMessage Message, string DeliveryId, string? ItemKey);

/// <summary>
/// Sends mail over SMTP with System.Net.Mail: a text body with an HTML alternative, one connection per mail.
/// SmtpClient waits for the server's answer to the end of a message synchronously, even in SendMailAsync, so each
/// mail in flight would hold a thread of the shared pool that the web server and the engine run on; under load
/// that starves them. Mails are therefore sent with the synchronous API on threads of their own (as many as
/// the mails the worker sends at once), started when the first mail goes out.
/// </summary>
public sealed class MailSender(int threads) : IDisposable
{
    private readonly BlockingCollection<(Action Send, TaskCompletionSource Done, CancellationToken Token)> queue = new();
    private readonly Lock starting = new();
    private bool started;

    public Task SendAsync(SmtpSettings smtp, OutgoingMail mail, CancellationToken cancellationToken)
    {
        MailMessage message;
        try
        {
            message = new MailMessage(new MailAddress(smtp.From), new MailAddress(mail.To))
            {
                Subject = mail.Message.Subject,
                Body = mail.Message.Text,
                BodyEncoding = Encoding.UTF8,
                SubjectEncoding = Encoding.UTF8,
                HeadersEncoding = Encoding.UTF8,
            };
        }
        catch (FormatException e)
        {
            return Task.FromException(new DeliveryFailure($"the address '{mail.To}' is not an e-mail address: {e.Message}", permanent: true, e));
        }
        message.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(mail.Message.Html, Encoding.UTF8, "text/html"));
        message.Headers.Add("Message-ID", $"<{mail.DeliveryId}@klaxon>");
        message.Headers.Add("X-Klaxon-Delivery", mail.DeliveryId);
        if (mail.ItemKey is not null) message.Headers.Add("X-Klaxon-Item", mail.ItemKey);
        message.Headers.Add("Auto-Submitted", "auto-generated");
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Start();
        queue.Add((() => Send(smtp, message), done, cancellationToken), CancellationToken.None);
        return done.Task;
    }

    private static void Send(SmtpSettings smtp, MailMessage message)
    {
        using (message)
        using (var client = new SmtpClient(smtp.Host, smtp.Port) { DeliveryMethod = SmtpDeliveryMethod.Network, EnableSsl = smtp.StartTls, Timeout = 30_000 })
        {
            if (smtp.User is not null) client.Credentials = new NetworkCredential(smtp.User, smtp.Password);
            try
            {
                client.Send(message);
            }
            catch (SmtpException e)
            {
                var code = (int)e.StatusCode;
                var detail = e.InnerException is { } inner && inner.Message != e.Message ? $"{e.Message} ({inner.Message})" : e.Message;
                throw new DeliveryFailure($"SMTP {(code > 0 ? code.ToString(CultureInfo.InvariantCulture) : "error")}: {detail}", permanent: code is >= 500 and < 600, e);
            }
        }
    }

    private void Start()
    {
        lock (starting)
        {
            if (started) return;
            started = true;
            for (var i = 0; i < Math.Max(1, threads); i++)
                new Thread(Run) { IsBackground = true, Name = $"klaxon-smtp-{i + 1}" }.Start();
        }
    }

    private void Run()
    {
        foreach (var (send, done, token) in queue.GetConsumingEnumerable())
        {
            if (token.IsCancellationRequested)
            {
                done.TrySetCanceled(token);
                continue;
            }
            try
            {
                send();
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        }
    }

    /// <summary>Lets the threads finish the mails already handed over, then end.</summary>
    public void Dispose() => queue.CompleteAdding();
}

/// <summary>Posts webhook payloads, signed with HMAC-SHA256 of the body under the webhook's secret.</summary>
public sealed class WebhookSender : IDisposable
{
    public const string SignatureHeader = "X-Klaxon-Signature";
    public const string DeliveryHeader = "X-Klaxon-Delivery";
    public const string EventHeader = "X-Klaxon-Event";

    private readonly HttpClient http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 64 })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary><c>sha256=</c> and the lower-case hex HMAC-SHA256 of <paramref name="body"/> under <paramref name="secret"/>.</summary>
    public static string Signature(string secret, byte[] body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public async Task SendAsync(string url, string secret, string eventName, string deliveryId, string payload, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(SignatureHeader, Signature(secret, body));
        request.Headers.Add(DeliveryHeader, deliveryId);
        request.Headers.Add(EventHeader, eventName);
        request.Headers.UserAgent.ParseAdd("Klaxon");
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new DeliveryFailure($"POST {url} failed: {e.Message}", permanent: false, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DeliveryFailure($"POST {url} timed out after {http.Timeout.TotalSeconds:0} s", permanent: false, e);
        }
        using (response)
        {
            if (response.IsSuccessStatusCode) return;
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (text.Length > 200) text = text[..200] + "…";
            throw new DeliveryFailure($"POST {url} answered {(int)response.StatusCode} {response.ReasonPhrase}{(text.Length > 0 ? ": " + text : "")}", permanent: false);
        }
    }

    public void Dispose() => http.Dispose();
}
