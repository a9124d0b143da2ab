using System.Text.Json;
using Klaxon.Apis;
using Klaxon.Core.Tracking;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Templates;

/// <summary>
/// The demo that <c>klaxon serve</c> creates on an empty data folder: project SUP from the support template, sample
/// people in every role (password <see cref="Password"/>), customers of both products, an on-call rotation of the
/// engineering managers, and incidents and bugs in every status, dated by the server's clock, so their escalation
/// schedules are running from the first minute.
/// </summary>
public static class SupportDemo
{
    public const string Key = "SUP";

    /// <summary>The password of every sample user (README.md lists them).</summary>
    public const string Password = "klaxon-demo";

    /// <summary>Login, name, role in SUP.</summary>
    public static IReadOnlyList<(string Login, string Name, string Role)> People { get; } =
    [
        ("alice", "Alice Support", Permissions.SupportEngineer),
        ("sam", "Sam Support", Permissions.SupportEngineer),
        ("bob", "Bob Engineer", Permissions.Engineer),
        ("erin", "Erin Engineer", Permissions.Engineer),
        ("mia", "Mia Manager", Permissions.EngineeringManager),
        ("max", "Max Manager", Permissions.EngineeringManager),
        ("quinn", "Quinn QA", Permissions.QA),
        ("dora", "Dora Distribution", Permissions.Distribution),
        ("pat", "Pat Admin", Permissions.ProjectAdmin),
        ("carl", "Carl Customer (Server)", Permissions.Customer),
        ("cora", "Cora Customer (Server)", Permissions.Customer),
        ("cliff", "Cliff Customer (Client)", Permissions.Customer),
    ];

    /// <summary>Whether the storage holds no project yet (the demo is only ever made then).</summary>
    public static async Task<bool> HasNoProjectAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
        return !await db.Projects.AnyAsync(cancellationToken);
    }

    /// <summary>Creates the demo project, people and items; returns the keys of the items made.</summary>
    public static async Task<IReadOnlyList<string>> CreateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var provider = scope.ServiceProvider;
        var db = provider.GetRequiredService<KlaxonDbContext>();
        var clock = provider.GetRequiredService<IClock>();
        var rescheduler = provider.GetRequiredService<Rescheduler>();
        var now = clock.GetCurrentInstant();
        var layout = await SupportTemplate.ApplyAsync(provider, Key, "Support (demo)", cancellationToken);

        // One hash for all: hashing is slow on purpose, and every sample user has the same password.
        var hash = Passwords.Hash(Password);
        foreach (var (login, name, role) in People)
        {
            db.Users.Add(new UserRow { Login = login, Name = name, Email = $"{login}@demo.klaxon.test", PasswordHash = hash, CreatedAt = now.ToUnixTimeMilliseconds() });
            db.Members.Add(new MemberRow { ProjectKey = Key, Kind = MemberRow.UserKind, Principal = login, Roles = JsonSerializer.Serialize(new[] { role }) });
        }
        foreach (var (product, customers) in new[] { ("Server", new[] { "carl", "cora" }), ("Client", new[] { "cliff" }) })
        {
            db.Groups.Add(new GroupRow { Name = $"customers-{product}", CreatedAt = now.ToUnixTimeMilliseconds() });
            db.GroupMembers.AddRange(customers.Select(c => new GroupMemberRow { GroupName = $"customers-{product}", Login = c }));
        }
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();

        // Weekly rotation of the managers, starting a day ago.
        var start = now - Duration.FromDays(1);
        await OnCallApi.ReplaceAsync(db, Key, new OnCallRoster
        {
            Shifts = [.. Enumerable.Range(0, 8).Select(week => new OnCallShift
            {
                Login = week % 2 == 0 ? "mia" : "max",
                From = Model.IsoText.FormatInstant(start + Duration.FromDays(7 * week)),
                Until = Model.IsoText.FormatInstant(start + Duration.FromDays(7 * (week + 1))),
                Note = $"week {week + 1}",
            })],
        }, cancellationToken);

        var items = new Demo(db, clock, rescheduler, layout, cancellationToken);
        // Bugs: one in every status.
        var checkoutBug = await items.CreateAsync(layout.Bug, "alice", new() { ["summary"] = "Checkout fails when the cart holds a discount code", ["fields.product"] = "Server" });
        var failoverBug = await items.CreateAsync(layout.Bug, "alice", new()
        {
            ["summary"] = "Failover drops unflushed writes", ["assignedTo"] = new[] { "bob" }, ["fields.product"] = "Server",
            ["fields.impactDataProcessing"] = true, ["fields.workaround"] = "Flush before planned failovers (klaxonctl flush)", ["fields.targetRelease"] = "4.3",
        });
        await items.RunAsync(failoverBug, "Start work", "bob");
        var unitBug = await items.CreateAsync(layout.Bug, "sam", new() { ["summary"] = "Tooltip shows bytes as kilobytes", ["assignedTo"] = new[] { "erin" }, ["fields.product"] = "Client" });
        await items.UpdateAsync(unitBug, "erin", new() { ["fields.fixVersion"] = "2.8.1" });
        await items.RunAsync(unitBug, "Resolve", "erin");
        var safariBug = await items.CreateAsync(layout.Bug, "sam", new() { ["summary"] = "Login loops on Safari", ["assignedTo"] = new[] { "bob" }, ["fields.product"] = "Server", ["fields.fixVersion"] = "4.2.3" });
        await items.RunAsync(safariBug, "Resolve", "bob");
        await items.RunAsync(safariBug, "Verify", "quinn");
        var tokenBug = await items.CreateAsync(layout.Bug, "alice", new()
        {
            ["summary"] = "Session token written to debug logs", ["assignedTo"] = new[] { "erin" }, ["fields.product"] = "Client",
            ["fields.impactSecurity"] = true, ["fields.workaround"] = "Turn debug logging off", ["fields.targetRelease"] = "2.8.2", ["fields.fixVersion"] = "2.8.2",
        });
        await items.RunAsync(tokenBug, "Resolve", "erin");
        await items.RunAsync(tokenBug, "Verify", "quinn");
        await items.RunAsync(tokenBug, "Close", "quinn");

        // Incidents: one in every status, each with its SLA clock.
        var down = await items.CreateAsync(layout.Incident, "alice", Incident(1, "Checkout page returns 500 for every customer", "alice", "carl", "Server"));
        await items.LinkAsync(down, checkoutBug, "alice");
        var late = await items.CreateAsync(layout.Incident, "sam", Incident(2, "Scheduled reports arrive a day late", "sam", "cora", "Server"));
        await items.RunAsync(late, "Start troubleshooting", "sam");
        var unit = await items.CreateAsync(layout.Incident, "sam", Incident(3, "Tooltip shows the wrong unit", "sam", "cliff", "Client"));
        await items.RunAsync(unit, "Start troubleshooting", "sam");
        await items.LinkAsync(unit, unitBug, "sam");
        var failover = await items.CreateAsync(layout.Incident, "alice", Incident(1, "Cluster node loses data after failover", "alice", "carl", "Server"));
        await items.LinkAsync(failover, failoverBug, "alice");
        await items.RunAsync(failover, "Escalate to engineering", "alice");
        var safari = await items.CreateAsync(layout.Incident, "alice", Incident(2, "Cannot log in with Safari", "alice", "cora", "Server"));
        await items.LinkAsync(safari, safariBug, "alice");
        await items.RunAsync(safari, "Escalate to engineering", "alice");
        await items.UpdateAsync(safari, "mia", new() { ["fields.engineer"] = "bob", ["fields.assessment"] = "Cookie rejected by Safari's tracking prevention", ["fields.expectedResolution"] = now + Duration.FromDays(2) });
        var token = await items.CreateAsync(layout.Incident, "alice", Incident(3, "Token visible in a shared log file", "alice", "cliff", "Client"));
        await items.LinkAsync(token, tokenBug, "alice");
        await items.RunAsync(token, "Escalate to engineering", "alice");
        await items.RunAsync(token, "Customer told of fix", "alice");
        var typo = await items.CreateAsync(layout.Incident, "sam", Incident(3, "Typo in the welcome mail", "sam", "cliff", "Client"));
        await items.UpdateAsync(typo, "sam", new() { ["resolution"] = "Fixed the mail template" });
        await items.RunAsync(typo, "Resolve", "sam");
        await items.RunAsync(typo, "Close", "sam");
        return items.Keys;
    }

    private static Dictionary<string, object?> Incident(int severity, string summary, string owner, string customer, string product) => new()
    {
        ["summary"] = summary,
        ["severity"] = severity,
        ["assignedTo"] = new[] { owner },
        ["fields.customer"] = customer,
        ["fields.product"] = product,
    };

    /// <summary>Makes demo items as their people would, through <see cref="ItemChanges"/>, rescheduling after each change.</summary>
    private sealed class Demo(KlaxonDbContext db, IClock clock, Rescheduler rescheduler, SupportProjectLayout layout, CancellationToken cancellationToken)
    {
        private readonly ItemChanges changes = new(db, clock);

        public List<string> Keys { get; } = [];

        public async Task<string> CreateAsync(string tracker, string login, Dictionary<string, object?> values)
        {
            var change = await changes.CreateAsync(layout.Project, tracker, Typed(values), await ActorAsync(login), cancellationToken);
            await rescheduler.ItemAsync(change.Item.Id, cancellationToken);
            Keys.Add(change.Item.Key);
            return change.Item.Key;
        }

        public async Task UpdateAsync(string key, string login, Dictionary<string, object?> values)
        {
            var change = await changes.UpdateAsync(key, Typed(values), await ActorAsync(login), cancellationToken: cancellationToken);
            await rescheduler.ItemAsync(change.Item.Id, cancellationToken);
        }

        public async Task RunAsync(string key, string transition, string login)
        {
            var change = await changes.TransitionAsync(key, transition, await ActorAsync(login), cancellationToken: cancellationToken);
            await rescheduler.ItemAsync(change.Item.Id, cancellationToken);
        }

        public async Task LinkAsync(string incident, string bug, string login)
        {
            var link = await changes.LinkAsync(incident, "bug-report", bug, await ActorAsync(login), cancellationToken);
            await rescheduler.ItemsAsync([link.Item.Id, link.Target.Id], cancellationToken);
        }

        private async Task<ItemActor> ActorAsync(string login) =>
            ItemActor.User(login, await Access.RolesAsync(db, layout.Project, login, directOnly: false, cancellationToken));

        /// <summary>Values in the types <see cref="ItemValues.Check"/> reads: numbers as decimals.</summary>
        private static Dictionary<string, object?> Typed(Dictionary<string, object?> values) =>
            values.ToDictionary(v => v.Key, v => v.Value is int n ? (object)(decimal)n : v.Value);
    }
}
