using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Klaxon.Delivery;

namespace Klaxon.Tests;

/// <summary>A mail as the SMTP sink received it: the envelope, the headers and the decoded text and HTML parts.</summary>
public sealed record SunkMail(string MailFrom, IReadOnlyList<string> RcptTos, string Subject, IReadOnlyDictionary<string, string> Headers, string? Text, string? Html)
{
    public string To => Assert.Single(RcptTos);
}

/// <summary>
/// A real SMTP server on loopback: <c>smtp-sink.py</c> (aiosmtpd) run by Debian's <c>/usr/bin/python3</c>, writing
/// each message as JSON to a folder the test reads. Its port is fixed when it is made, so it can be stopped and
/// started again (SMTP down, then up) at the same address; recipients in <c>reject</c> get "550 5.1.1".
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    public const string Python = "/usr/bin/python3";
    public const string From = "klaxon@example.test";

    private Process? process;

    private SmtpSink(int port, string folder) => (Port, Folder) = (port, folder);

    public int Port { get; }

    public string Folder { get; }

    public bool Running => process is { HasExited: false };

    /// <summary>What a server needs to mail through this sink (with the manual clock's retry delays unchanged).</summary>
    public DeliverySettings Settings(string? publicUrl = "http://klaxon.test", RetryPolicy? retry = null) => new()
    {
        Smtp = new SmtpSettings { Host = "127.0.0.1", Port = Port, From = From },
        PublicUrl = publicUrl,
        Retry = retry ?? new RetryPolicy(),
    };

    /// <summary>A sink on a free loopback port, not yet started.</summary>
    public static SmtpSink Create()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var folder = Path.Combine(Path.GetTempPath(), "klaxon-smtp", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return new SmtpSink(port, folder);
    }

    public static async Task<SmtpSink> StartNewAsync(params string[] reject)
    {
        var sink = Create();
        await sink.StartAsync(reject);
        return sink;
    }

    /// <summary>Starts the server and returns once it listens; fails saying why when it cannot (no python3-aiosmtpd).</summary>
    public async Task StartAsync(params string[] reject)
    {
        if (Running) throw new InvalidOperationException("The SMTP sink is already running.");
        if (!File.Exists(Python)) throw new InvalidOperationException($"{Python} is missing: install Debian's python3 and python3-aiosmtpd (./test does).");
        var script = Path.Combine(AppContext.BaseDirectory, "smtp-sink.py");
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { script, "--port", Port.ToString(), "--dir", Folder, "--reject", string.Join(",", reject) }) start.ArgumentList.Add(arg);
        process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line != $"ready {Port}")
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            throw new InvalidOperationException($"The SMTP sink did not start (is python3-aiosmtpd installed? ./test installs it): {line} {await errors}");
        }
    }

    /// <summary>Stops the server: from now on connections to its port are refused.</summary>
    public async Task StopAsync()
    {
        if (process is null) return;
        if (!process.HasExited) process.Kill();
        await process.WaitForExitAsync();
        process.Dispose();
        process = null;
    }

    /// <summary>Every mail received so far, in the order received.</summary>
    public List<SunkMail> Mails() =>
        [.. new DirectoryInfo(Folder).GetFiles("*.json").OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name).Select(f => Read(f.FullName))];

    /// <summary>Waits until at least <paramref name="count"/> mails arrived (failing after <paramref name="seconds"/>), then returns all.</summary>
    public async Task<List<SunkMail>> WaitForAsync(int count, int seconds = 30)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var mails = Mails();
            if (mails.Count >= count) return mails;
            if (DateTime.UtcNow > until) Assert.Fail($"Waited {seconds} s for {count} mail(s); {mails.Count} came: {string.Join(" | ", mails.Select(m => m.To + " " + m.Subject))}");
            await Task.Delay(50);
        }
    }

    private static SunkMail Read(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        return new SunkMail(
            root.GetProperty("mailFrom").GetString()!,
            [.. root.GetProperty("rcptTos").EnumerateArray().Select(r => r.GetString()!)],
            root.GetProperty("subject").GetString()!,
            root.GetProperty("headers").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.OrdinalIgnoreCase),
            root.GetProperty("text").GetString(),
            root.GetProperty("html").GetString());
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
    }
}
