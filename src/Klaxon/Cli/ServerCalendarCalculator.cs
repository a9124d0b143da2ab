using System.Net.Http.Headers;
using System.Text.Json;
using Klaxon.Core;
using Klaxon.Infrastructure;
using Klaxon.Model;

namespace Klaxon.Cli;

/// <summary>Answers from a running Klaxon server through its REST API; its problem details become refusals.</summary>
public sealed class ServerCalendarCalculator : ICalendarCalculator
{
    private readonly HttpClient http;

    private ServerCalendarCalculator(HttpClient http) => this.http = http;

    public static ServerCalendarCalculator Create(string server, string token)
    {
        if (!Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out var address) ||
            address.Scheme is not ("http" or "https"))
            throw ProblemException.Invalid("server", $"'{server}' is not an http or https URL, such as http://127.0.0.1:5080.");
        var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new ServerCalendarCalculator(http);
    }

    public Task<AddAnswer> AddAsync(string calendarId, string? from, string? duration, string? days, CancellationToken cancellationToken) =>
        GetAsync<AddAnswer>(calendarId, "add", [("from", from), ("duration", duration), ("days", days)], cancellationToken);

    public Task<BetweenAnswer> BetweenAsync(string calendarId, string? from, string? to, CancellationToken cancellationToken) =>
        GetAsync<BetweenAnswer>(calendarId, "between", [("from", from), ("to", to)], cancellationToken);

    public Task<IntervalsAnswer> IntervalsAsync(string calendarId, string? from, string? to, CancellationToken cancellationToken) =>
        GetAsync<IntervalsAnswer>(calendarId, "intervals", [("from", from), ("to", to)], cancellationToken);

    public ValueTask DisposeAsync()
    {
        http.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<T> GetAsync<T>(string calendarId, string question, (string Name, string? Value)[] query, CancellationToken cancellationToken)
    {
        var parameters = string.Join("&", query.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));
        using var response = await http.GetAsync($"api/v1/calendars/{Uri.EscapeDataString(calendarId)}/{question}?{parameters}", cancellationToken);
        if (!response.IsSuccessStatusCode) throw await RefusalAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<T>(KlaxonJson.Options, cancellationToken)
            ?? throw new InvalidOperationException($"The server sent an empty answer to {question}.");
    }

    private static async Task<ProblemException> RefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var isProblem = response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json";
        if (!isProblem || string.IsNullOrWhiteSpace(body))
            return ProblemException.Reported(status, response.ReasonPhrase, $"The server answered {status} {response.ReasonPhrase}.", []);

        using var problem = JsonDocument.Parse(body);
        var root = problem.RootElement;
        var errors = new List<Diagnostic>();
        if (root.TryGetProperty("errors", out var fields) && fields.ValueKind == JsonValueKind.Object)
        {
            foreach (var field in fields.EnumerateObject())
                errors.AddRange(field.Value.EnumerateArray().Select(message => new Diagnostic(field.Name, message.GetString() ?? "")));
        }
        return ProblemException.Reported(status, Text(root, "title"), Text(root, "detail"), errors);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
