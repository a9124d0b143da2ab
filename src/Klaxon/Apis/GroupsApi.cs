using System.Text.RegularExpressions;
using Klaxon.Core;
using Klaxon.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Apis;

/// <summary>A user group as clients send and see it: its name and its members' logins.</summary>
public sealed record GroupDocument
{
    /// <summary>Letters, digits, '.', '_' and '-', such as <c>emea-support</c>; in a PUT it may be left out.</summary>
    public string? Name { get; init; }

    /// <summary>Logins of existing users; <c>[]</c> for an empty group.</summary>
    public List<string>? Members { get; init; }
}

public sealed record GroupAnswer(string Name, IReadOnlyList<string> Members);

/// <summary>
/// User groups. A group linked to a project role makes its members indirect members of the project. Any
/// authenticated caller may read groups; only administrators create, replace and delete them.
/// </summary>
public static partial class GroupsApi
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    public static RouteGroupBuilder MapGroupsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/groups").WithTags("Groups");
        api.MapGet("", ListGroups).WithSummary("All groups with their members, ordered by name.");
        api.MapGet("/{name}", GetGroup).WithSummary("One group with its members.").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("", CreateGroup).WithSummary("Creates a group (administrators only); 409 if the name is taken.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPut("/{name}", PutGroup).WithSummary("Creates a group or replaces its members (administrators only).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapDelete("/{name}", DeleteGroup)
            .WithSummary("Deletes a group (administrators only); refused (409) while it is a member of a project.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Ok<List<GroupAnswer>>> ListGroups(KlaxonDbContext db, CancellationToken cancellationToken)
    {
        var names = await db.Groups.AsNoTracking().Select(g => g.Name).ToListAsync(cancellationToken);
        var members = await db.GroupMembers.AsNoTracking().ToListAsync(cancellationToken);
        var byGroup = members.ToLookup(m => m.GroupName, m => m.Login);
        return TypedResults.Ok(names.Order(StringComparer.Ordinal).Select(n => Answer(n, byGroup[n])).ToList());
    }

    public static async Task<Ok<GroupAnswer>> GetGroup(string name, KlaxonDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Groups.AnyAsync(g => g.Name == name, cancellationToken)) throw NotFound(name);
        return TypedResults.Ok(await AnswerAsync(db, name, cancellationToken));
    }

    public static async Task<Created<GroupAnswer>> CreateGroup(
        GroupDocument group, KlaxonDbContext db, Access access, IClock clock, CancellationToken cancellationToken)
    {
        await access.RequireAdminAsync("create groups", cancellationToken);
        var (name, members) = await ReadAsync(db, group, nameFromRoute: null, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.Groups.AnyAsync(g => g.Name == name, cancellationToken))
            throw ProblemException.Conflict($"A group '{name}' already exists; PUT /api/v1/groups/{name} replaces its members.");
        db.Groups.Add(new GroupRow { Name = name, CreatedAt = clock.GetCurrentInstant().ToUnixTimeMilliseconds() });
        db.GroupMembers.AddRange(members.Select(login => new GroupMemberRow { GroupName = name, Login = login }));
        await SaveNewAsync(db, name, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/groups/{name}", Answer(name, members));
    }

    public static async Task<Results<Created<GroupAnswer>, Ok<GroupAnswer>>> PutGroup(
        string name, GroupDocument group, KlaxonDbContext db, Access access, IClock clock, CancellationToken cancellationToken)
    {
        await access.RequireAdminAsync("change groups", cancellationToken);
        var (_, members) = await ReadAsync(db, group, nameFromRoute: name, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockGroupAsync(db, name, cancellationToken);
        var created = !await db.Groups.AnyAsync(g => g.Name == name, cancellationToken);
        if (created) db.Groups.Add(new GroupRow { Name = name, CreatedAt = clock.GetCurrentInstant().ToUnixTimeMilliseconds() });
        else await db.GroupMembers.Where(m => m.GroupName == name).ExecuteDeleteAsync(cancellationToken);
        db.GroupMembers.AddRange(members.Select(login => new GroupMemberRow { GroupName = name, Login = login }));
        await SaveNewAsync(db, name, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var answer = Answer(name, members);
        return created ? TypedResults.Created($"/api/v1/groups/{name}", answer) : TypedResults.Ok(answer);
    }

    public static async Task<NoContent> DeleteGroup(string name, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAdminAsync("delete groups", cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockGroupAsync(db, name, cancellationToken);
        if (!await db.Groups.AnyAsync(g => g.Name == name, cancellationToken)) throw NotFound(name);
        var projects = await db.Members.AsNoTracking()
            .Where(m => m.Kind == MemberRow.GroupKind && m.Principal == name).Select(m => m.ProjectKey).ToListAsync(cancellationToken);
        if (projects.Count > 0)
        {
            throw ProblemException.Conflict(
                $"Group '{name}' is a member of {string.Join(", ", projects.Order(StringComparer.Ordinal))}; remove it there first " +
                $"(DELETE /api/v1/projects/{{key}}/groups/{name}).");
        }
        await db.GroupMembers.Where(m => m.GroupName == name).ExecuteDeleteAsync(cancellationToken);
        await db.Groups.Where(g => g.Name == name).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Makes the current transaction wait for other changes to the group: its members, its deletion, its linking to a
    /// project (see <see cref="RowLocks"/>).
    /// </summary>
    public static Task LockGroupAsync(KlaxonDbContext db, string name, CancellationToken cancellationToken) =>
        db.Database.LockRowsAsync($"SELECT 1 FROM \"groups\" WHERE \"name\" = {name} FOR UPDATE", cancellationToken);

    /// <summary>Saves; a group of the same name created by another request at the same moment is a conflict (409).</summary>
    private static async Task SaveNewAsync(KlaxonDbContext db, string name, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (db.ChangeTracker.Entries<GroupRow>().Any(e => e.State == EntityState.Added && e.Entity.Name == name))
        {
            throw ProblemException.Conflict($"Group '{name}' was created by another request at the same moment; read it and retry.");
        }
    }

    /// <summary>The members of a group, ordered by login.</summary>
    public static async Task<GroupAnswer> AnswerAsync(KlaxonDbContext db, string name, CancellationToken cancellationToken) =>
        Answer(name, await db.GroupMembers.AsNoTracking().Where(m => m.GroupName == name).Select(m => m.Login).ToListAsync(cancellationToken));

    private static GroupAnswer Answer(string name, IEnumerable<string> members) => new(name, [.. members.Order(StringComparer.Ordinal)]);

    /// <summary>The checked name and the distinct member logins; 400 naming every login that is not a user.</summary>
    private static async Task<(string Name, List<string> Members)> ReadAsync(
        KlaxonDbContext db, GroupDocument group, string? nameFromRoute, CancellationToken cancellationToken)
    {
        var errors = new List<Diagnostic>();
        var name = nameFromRoute ?? group.Name;
        if (string.IsNullOrWhiteSpace(name)) errors.Add(new("name", "is required (letters, digits, '.', '_' and '-', such as emea-support)."));
        else if (!NamePattern().IsMatch(name))
            errors.Add(new("name", $"'{name}' is not a group name: use 1 to 64 letters, digits, '.', '_' and '-', starting with a letter or digit."));
        else if (nameFromRoute is not null && group.Name is not null && group.Name != nameFromRoute)
            errors.Add(new("name", $"'{group.Name}' differs from '{nameFromRoute}' in the address; a group cannot be renamed."));

        var members = group.Members?.Distinct(StringComparer.Ordinal).ToList();
        if (members is null) errors.Add(new("members", "is required: an array of logins, [] for an empty group."));
        else if (members.Any(string.IsNullOrWhiteSpace)) errors.Add(new("members", "must hold logins, not null or empty strings."));
        else
        {
            var known = await db.Users.AsNoTracking().Where(u => members.Contains(u.Login)).Select(u => u.Login).ToListAsync(cancellationToken);
            var unknown = members.Except(known, StringComparer.Ordinal).ToList();
            if (unknown.Count > 0)
                errors.Add(new("members", $"there is no user {string.Join(", ", unknown.Select(l => $"'{l}'"))}."));
        }
        ProblemException.ThrowIfAny(errors);
        return (name!, members!);
    }

    private static ProblemException NotFound(string name) => ProblemException.NotFound($"There is no group '{name}'.");
}
