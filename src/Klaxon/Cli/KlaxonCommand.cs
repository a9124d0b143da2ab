using System.CommandLine;
using System.CommandLine.Help;
using Klaxon.Core.Calendars;
using Klaxon.Infrastructure;

namespace Klaxon.Cli;

/// <summary>
/// The <c>klaxon</c> command line: <c>serve</c>, <c>calendar</c> and <c>init</c>. Commands write to the invocation's output
/// and error writers (so tests can run them in process) and exit non-zero with one readable line on failure.
/// </summary>
public static class KlaxonCommand
{
    public static Task<int> RunAsync(string[] args) =>
        RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable);

    /// <param name="environment">Reads an environment variable (KLAXON_SERVER, KLAXON_TOKEN, KLAXON_ADMIN_TOKEN).</param>
    public static Task<int> RunAsync(
        IReadOnlyList<string> args, TextWriter output, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken = default)
    {
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        return Create(environment).Parse(args).InvokeAsync(configuration, cancellationToken);
    }

    public static RootCommand Create(Func<string, string?> environment)
    {
        var root = new RootCommand("Klaxon: a self-hosted SLA and escalation service that measures items in working time.")
        {
            ServeCommand.Create(environment),
            CalendarCommand.Create(environment),
            InitCommand.Create(),
        };
        root.SetAction(ShowHelp);
        return root;
    }

    /// <summary>For a command that needs a subcommand: shows its help instead of an error.</summary>
    internal static int ShowHelp(ParseResult parseResult)
    {
        new HelpAction().Invoke(parseResult);
        return 0;
    }

    /// <summary>Runs a command's work; a refusal or an unreachable server becomes one line on standard error and exit code 1.</summary>
    internal static async Task<int> Guard(ParseResult parseResult, Func<TextWriter, Task> work)
    {
        var error = parseResult.InvocationConfiguration.Error;
        try
        {
            await work(parseResult.InvocationConfiguration.Output);
            return 0;
        }
        catch (ProblemException refused)
        {
            if (refused.Errors.Count == 0) error.WriteLine($"error: {refused.Message}");
            foreach (var diagnostic in refused.Errors)
                error.WriteLine(diagnostic.Field.Length == 0 ? $"error: {diagnostic.Message}" : $"error: --{diagnostic.Field}: {diagnostic.Message}");
            return 1;
        }
        catch (CalendarNeverWorksException never)
        {
            error.WriteLine($"error: {never.Message}");
            return 1;
        }
        catch (HttpRequestException unreachable)
        {
            error.WriteLine($"error: cannot reach the server: {unreachable.Message}");
            return 1;
        }
    }
}
