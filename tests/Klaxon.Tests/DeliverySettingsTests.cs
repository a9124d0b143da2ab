using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Klaxon.Cli;
using Klaxon.Delivery;
using Klaxon.Infrastructure;
using NodaTime;

namespace Klaxon.Tests;

/// <summary>The outbox's settings: retry delays, and <c>klaxon serve --smtp … --mail-from … --public-url …</c> with its environment.</summary>
public sealed partial class DeliverySettingsTests : IDisposable
{
    private readonly StorageLocation storage = RunningServer.NewStorage(RunningServer.NewDataDirectory());

    public void Dispose() => RunningServer.DeleteStorage(storage);

    [Theory]
    [InlineData(1, 0.0, 15)]      // 30 s × 2^0 × 0.5
    [InlineData(1, 0.999, 29.985)] // 30 s × 0.9995: just under 30 s
    [InlineData(2, 0.0, 30)]      // 60 s × 0.5
    [InlineData(5, 0.5, 360)]     // 480 s × 0.75
    [InlineData(8, 0.999, 3598.2)] // 3840 s capped at 3600 s, × 0.9995
    [InlineData(40, 0.0, 1800)]   // far past the cap: half of it
    public void Delay_GrowsExponentiallyWithJitter_AndIsCappedByMax(int attempts, double random, double seconds) =>
        Assert.Equal(seconds, new RetryPolicy().Delay(attempts, random).TotalSeconds, precision: 2);

    [Fact]
    public void Delay_StaysWithinHalfAndAllOfTheCeiling_ForEveryRandomDraw()
    {
        var policy = new RetryPolicy { First = Duration.FromSeconds(2), Max = Duration.FromMinutes(1) };
        var random = new Random(7);
        for (var attempt = 1; attempt <= 12; attempt++)
        {
            var ceiling = Math.Min(2 * Math.Pow(2, attempt - 1), 60);
            for (var i = 0; i < 200; i++)
                Assert.InRange(policy.Delay(attempt, random.NextDouble()).TotalSeconds, ceiling / 2, ceiling);
        }
    }

    [Theory]
    [InlineData("mail.example.test", "klaxon@example.test", null, "smtp", "'mail.example.test' is not HOST:PORT")]
    [InlineData("mail.example.test:0", "klaxon@example.test", null, "smtp", "is not HOST:PORT")]
    [InlineData("mail.example.test:25", null, null, "mail-from", "is required with --smtp")]
    [InlineData(null, "klaxon@example.test", null, "mail-from", "applies only with --smtp")]
    [InlineData("mail.example.test:25", "klaxon@example.test", "klaxon.example.test", "public-url", "is not an absolute http or https URL")]
    public void ResolveDelivery_RefusesBadOptions_NamingThem(string? smtp, string? from, string? publicUrl, string field, string says)
    {
        var refused = Assert.Throws<ProblemException>(() => ServeCommand.ResolveDelivery(smtp, from, publicUrl, _ => null));
        var error = Assert.Single(refused.Errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(says, error.Message);
    }

    [Fact]
    public void ResolveDelivery_ReadsCredentialsStartTlsAndRetriesFromTheEnvironment()
    {
        var environment = new Dictionary<string, string>
        {
            ["KLAXON_SMTP_USER"] = "klaxon", ["KLAXON_SMTP_PASSWORD"] = "pw", ["KLAXON_SMTP_STARTTLS"] = "true",
            ["KLAXON_RETRY_FIRST"] = "PT10S", ["KLAXON_RETRY_MAX"] = "PT5M", ["KLAXON_RETRY_ATTEMPTS"] = "3",
        };
        var settings = ServeCommand.ResolveDelivery("mail.example.test:587", "klaxon@example.test", "https://klaxon.example.test/", environment.GetValueOrDefault);
        Assert.Equal(new SmtpSettings { Host = "mail.example.test", Port = 587, From = "klaxon@example.test", User = "klaxon", Password = "pw", StartTls = true }, settings.Smtp);
        Assert.Equal(new RetryPolicy { First = Duration.FromSeconds(10), Max = Duration.FromMinutes(5), MaxAttempts = 3 }, settings.Retry);
        Assert.Equal("https://klaxon.example.test/items/INC-1", settings.ItemLink("INC-1"));

        var refused = Assert.Throws<ProblemException>(() => ServeCommand.ResolveDelivery("mail.example.test:587", "klaxon@example.test", null,
            new Dictionary<string, string> { ["KLAXON_SMTP_STARTTLS"] = "yes", ["KLAXON_RETRY_ATTEMPTS"] = "0" }.GetValueOrDefault));
        Assert.Equal(["KLAXON_SMTP_STARTTLS", "KLAXON_RETRY_ATTEMPTS"], refused.Errors.Select(e => e.Field));
    }

    [Fact]
    public async Task Serve_WithSmtpAndMailFrom_MailsThroughTheRealServer()
    {
        await using var sink = await SmtpSink.StartNewAsync();
        var output = new StringWriter();
        using var stop = new CancellationTokenSource();
        var serve = KlaxonCommand.RunAsync(
            ["serve", "--urls", "http://127.0.0.1:0", .. RunningServer.StorageArgumentsFor(storage), "--clock", "manual", "--now", "2026-01-05T08:00:00Z",
             "--admin-token", "serve-mail-token", "--smtp", $"127.0.0.1:{sink.Port}", "--mail-from", "desk@example.test", "--public-url", "https://klaxon.example.test", "--no-demo"],
            TextWriter.Synchronized(output), TextWriter.Null, _ => null, stop.Token);
        try
        {
            var url = await WaitForListeningAsync(output);
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "serve-mail-token");
            await Users.ExpectAsync(System.Net.HttpStatusCode.Created, client.PostJsonAsync("/api/v1/projects", """{"key":"OPS","name":"Ops"}"""));
            await Users.ExpectAsync(System.Net.HttpStatusCode.Created, client.PostJsonAsync("/api/v1/projects/OPS/trackers", EscalationProject.Tracker));
            await Users.ExpectAsync(System.Net.HttpStatusCode.Created, client.PostJsonAsync("/api/v1/projects/OPS/items", """{"tracker":"TASK","summary":"Rotate keys"}"""));
            await Users.ExpectAsync(System.Net.HttpStatusCode.Created, client.PostJsonAsync("/api/v1/items/TASK-1/reminders", """{"at":"2026-01-05T09:00:00Z","note":"Rotate them"}"""));
            await Users.ExpectAsync(System.Net.HttpStatusCode.OK, client.PostJsonAsync("/api/v1/clock/advance", """{"to":"2026-01-05T09:00:00Z"}"""));

            var mail = Assert.Single(await sink.WaitForAsync(1));
            Assert.Equal("admin@localhost", mail.To);
            Assert.Equal("desk@example.test", mail.MailFrom);
            Assert.Contains("Item: https://klaxon.example.test/items/TASK-1", mail.Text);
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await serve);
        }
    }

    private static async Task<string> WaitForListeningAsync(StringWriter output)
    {
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(30); waited += TimeSpan.FromMilliseconds(50))
        {
            if (ListeningLine().Match(output.ToString()) is { Success: true } match) return match.Groups["url"].Value;
            await Task.Delay(50);
        }
        throw new TimeoutException($"The server did not say it was listening. It said: {output}");
    }

    [GeneratedRegex(@"Klaxon is listening on (?<url>http://\S+)")]
    private static partial Regex ListeningLine();
}
