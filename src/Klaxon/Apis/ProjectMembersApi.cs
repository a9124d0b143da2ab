using System.Text.Json;
using Klaxon.Core.Tracking;
using Klaxon.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Klaxon.Apis;

/// <summary>One role a user holds in a project: directly, through the named groups, or both.</summary>
public sealed record MemberRoleAnswer(string Role, bool Direct, IReadOnlyList<string> Groups);

/// <summary>
/// A user in a project with every role they hold. <see cref="Indirect"/> is true when the user holds no role
/// directly, only through groups.
/// </summary>
public sealed record MemberAnswer(string Login, string Name, bool Indirect, IReadOnlyList<MemberRoleAnswer> Roles);

/// <summary>A group in a project: its roles and its members (each of whom holds those roles indirectly).</summary>
public sealed record ProjectGroupAnswer(string Group, IReadOnlyList<string> Roles, IReadOnlyList<string> Members);

/// <summary>Who is in a project: every user holding a role (directly or through a group), and every group linked to roles.</summary>
public sealed record MembersAnswer(IReadOnlyList<MemberAnswer> Users, IReadOnlyList<ProjectGroupAnswer> Groups);

public sealed record RolesRequest
{
    /// <summary>The roles to hold from now on, replacing the previous ones; <c>[]</c> removes the membership.</summary>
    public List<string>? Roles { get; init; }
}

public sealed record RoleAnswer(string Name, IReadOnlyList<string> Permissions);

public sealed record PermissionsRequest
{
    /// <summary>Permission names from <see cref="Klaxon.Core.Tracking.Permissions.All"/>, replacing the role's previous ones.</summary>
    public List<string>? Permissions { get; init; }
}

/// <summary>
/// A project's members and roles. Members of the project (permission <c>items.view</c>) may read them; changing
/// them needs <c>project.admin</c> in the project (or a system administrator). Changes to one project's members and
/// roles take turns (see <see cref="LockProjectAsync"/>), so a role cannot be deleted while it is being granted.
/// </summary>
public static class ProjectMembersApi
{
    public static RouteGroupBuilder MapProjectMembersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/projects/{key}").WithTags("Project members and roles");
        api.MapGet("/members", ListMembers)
            .WithSummary("The project's users, each with their roles and whether each is held directly or through which groups, and its groups.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPut("/members/{login}", PutUserMember)
            .WithSummary("Sets the roles a user holds directly, replacing the previous ones; [] removes the direct membership.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/members/{login}", DeleteUserMember).WithSummary("Removes a user's direct membership (roles held through groups stay).")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPut("/groups/{group}", PutGroupMember)
            .WithSummary("Links a group to roles, replacing the previous ones; its members become indirect members. [] removes the group.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/groups/{group}", DeleteGroupMember).WithSummary("Removes a group from the project.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/roles", ListRoles).WithSummary("The project's roles with their permissions, ordered by name.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPut("/roles/{role}", PutRole).WithSummary("Creates a custom role or replaces a role's permissions.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/roles/{role}", DeleteRole).WithSummary("Deletes a role; refused (409) while a user or group holds it.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Ok<MembersAnswer>> ListMembers(string key, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.ViewItems, cancellationToken);
        return TypedResults.Ok(await MembershipAsync(db, key, cancellationToken));
    }

    public static async Task<Ok<MemberAnswer>> PutUserMember(
        string key, string login, RolesRequest request, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.Administer, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockProjectAsync(db, key, cancellationToken);
        if (!await db.Users.AnyAsync(u => u.Login == login, cancellationToken)) throw ProblemException.NotFound($"There is no user '{login}'.");
        var roles = await ReadRolesAsync(db, key, request, cancellationToken);
        await SetRolesAsync(db, key, MemberRow.UserKind, login, roles, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(await MemberAsync(db, key, login, cancellationToken));
    }

    public static async Task<NoContent> DeleteUserMember(string key, string login, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.Administer, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockProjectAsync(db, key, cancellationToken);
        if (!await db.Users.AnyAsync(u => u.Login == login, cancellationToken)) throw ProblemException.NotFound($"There is no user '{login}'.");
        if (!await db.Members.AnyAsync(m => m.ProjectKey == key && m.Kind == MemberRow.UserKind && m.Principal == login, cancellationToken))
            throw ProblemException.NotFound($"'{login}' is not a direct member of project {key}.");
        await SetRolesAsync(db, key, MemberRow.UserKind, login, [], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<ProjectGroupAnswer>> PutGroupMember(
        string key, string group, RolesRequest request, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.Administer, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockProjectAsync(db, key, cancellationToken);
        await GroupsApi.LockGroupAsync(db, group, cancellationToken);
        if (!await db.Groups.AnyAsync(g => g.Name == group, cancellationToken)) throw ProblemException.NotFound($"There is no group '{group}'.");
        var roles = await ReadRolesAsync(db, key, request, cancellationToken);
        await SetRolesAsync(db, key, MemberRow.GroupKind, group, roles, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var members = await db.GroupMembers.AsNoTracking().Where(m => m.GroupName == group).Select(m => m.Login).ToListAsync(cancellationToken);
        return TypedResults.Ok(new ProjectGroupAnswer(group, roles, [.. members.Order(StringComparer.Ordinal)]));
    }

    public static async Task<NoContent> DeleteGroupMember(string key, string group, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.Administer, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockProjectAsync(db, key, cancellationToken);
        await GroupsApi.LockGroupAsync(db, group, cancellationToken);
        if (!await db.Groups.AnyAsync(g => g.Name == group, cancellationToken)) throw ProblemException.NotFound($"There is no group '{group}'.");
        if (!await db.Members.AnyAsync(m => m.ProjectKey == key && m.Kind == MemberRow.GroupKind && m.Principal == group, cancellationToken))
            throw ProblemException.NotFound($"Group '{group}' is not a member of project {key}.");
        await SetRolesAsync(db, key, MemberRow.GroupKind, group, [], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<List<RoleAnswer>>> ListRoles(string key, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.ViewItems, cancellationToken);
        var roles = await db.Roles.AsNoTracking().Where(r => r.ProjectKey == key).ToListAsync(cancellationToken);
        return TypedResults.Ok(roles.OrderBy(r => r.Name, StringComparer.Ordinal).Select(Answer).ToList());
    }

    public static async Task<Results<Created<RoleAnswer>, Ok<RoleAnswer>>> PutRole(
        string key, string role, PermissionsRequest request, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.Administer, cancellationToken);
        if (role.Length is 0 or > 64 || role.Trim() != role || role.Any(char.IsControl))
            throw ProblemException.Invalid("role", $"'{role}' is not a role name: use 1 to 64 characters without leading or trailing spaces.");
        if (request.Permissions is null)
            throw ProblemException.Invalid("permissions", $"is required: an array of permission names ({Known}), [] for none.");
        var unknown = request.Permissions.Where(p => !Permissions.All.Contains(p)).Distinct().ToList();
        if (unknown.Count > 0)
        {
            throw ProblemException.Invalid("permissions",
                $"{string.Join(", ", unknown.Select(p => $"'{p}'"))} {(unknown.Count == 1 ? "is not a permission" : "are not permissions")}; the permissions are {Known}.");
        }
        // Stored in the order of Permissions.All, so equal sets read alike.
        var permissions = Permissions.All.Where(request.Permissions.Contains).ToList();

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockProjectAsync(db, key, cancellationToken);
        var stored = await db.Roles.SingleOrDefaultAsync(r => r.ProjectKey == key && r.Name == role, cancellationToken);
        var created = stored is null;
        if (stored is null) db.Roles.Add(stored = new RoleRow { ProjectKey = key, Name = role, Permissions = JsonSerializer.Serialize(permissions) });
        else stored.Permissions = JsonSerializer.Serialize(permissions);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var answer = Answer(stored);
        return created
            ? TypedResults.Created($"/api/v1/projects/{key}/roles/{Uri.EscapeDataString(role)}", answer)
            : TypedResults.Ok(answer);
    }

    public static async Task<NoContent> DeleteRole(string key, string role, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.Administer, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockProjectAsync(db, key, cancellationToken);
        var stored = await db.Roles.SingleOrDefaultAsync(r => r.ProjectKey == key && r.Name == role, cancellationToken)
            ?? throw ProblemException.NotFound($"There is no role '{role}' in project {key}.");
        var holders = (await db.Members.AsNoTracking().Where(m => m.ProjectKey == key).ToListAsync(cancellationToken))
            .Where(m => RolesOf(m).Contains(role))
            .OrderBy(m => m.Kind == MemberRow.UserKind ? 0 : 1).ThenBy(m => m.Principal, StringComparer.Ordinal)
            .Select(m => m.Kind == MemberRow.GroupKind ? $"group '{m.Principal}'" : $"'{m.Principal}'")
            .ToList();
        if (holders.Count > 0)
            throw ProblemException.Conflict($"Role '{role}' is held by {string.Join(", ", holders)}; give them other roles first.");
        db.Roles.Remove(stored);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Everyone in a project: users (ordered by login) with each role's direct and group sources, and groups (ordered by name).</summary>
    public static async Task<MembersAnswer> MembershipAsync(KlaxonDbContext db, string key, CancellationToken cancellationToken)
    {
        var rows = await db.Members.AsNoTracking().Where(m => m.ProjectKey == key).ToListAsync(cancellationToken);
        var groupRows = rows.Where(m => m.Kind == MemberRow.GroupKind).ToList();
        var groupNames = groupRows.Select(g => g.Principal).ToList();
        var groupMembers = (await db.GroupMembers.AsNoTracking().Where(g => groupNames.Contains(g.GroupName)).ToListAsync(cancellationToken))
            .ToLookup(g => g.GroupName, g => g.Login);

        // login → role → (direct?, groups)
        var held = new Dictionary<string, SortedDictionary<string, (bool Direct, SortedSet<string> Groups)>>(StringComparer.Ordinal);
        SortedDictionary<string, (bool Direct, SortedSet<string> Groups)> RolesFor(string login) =>
            held.TryGetValue(login, out var roles) ? roles : held[login] = new(StringComparer.Ordinal);
        foreach (var row in rows.Where(m => m.Kind == MemberRow.UserKind))
        {
            var roles = RolesFor(row.Principal);
            foreach (var role in RolesOf(row)) roles[role] = (true, roles.TryGetValue(role, out var r) ? r.Groups : new(StringComparer.Ordinal));
        }
        foreach (var row in groupRows)
        {
            foreach (var login in groupMembers[row.Principal])
            {
                var roles = RolesFor(login);
                foreach (var role in RolesOf(row))
                {
                    if (!roles.TryGetValue(role, out var source)) roles[role] = source = (false, new(StringComparer.Ordinal));
                    source.Groups.Add(row.Principal);
                }
            }
        }

        var logins = held.Keys.ToList();
        var names = await db.Users.AsNoTracking().Where(u => logins.Contains(u.Login)).ToDictionaryAsync(u => u.Login, u => u.Name, cancellationToken);
        var users = held
            .Where(h => h.Value.Count > 0)
            .OrderBy(h => h.Key, StringComparer.Ordinal)
            .Select(h => new MemberAnswer(h.Key, names.GetValueOrDefault(h.Key, h.Key), !h.Value.Values.Any(v => v.Direct),
                [.. h.Value.Select(r => new MemberRoleAnswer(r.Key, r.Value.Direct, [.. r.Value.Groups]))]))
            .ToList();
        var groups = groupRows
            .OrderBy(g => g.Principal, StringComparer.Ordinal)
            .Select(g => new ProjectGroupAnswer(g.Principal, RolesOf(g), [.. groupMembers[g.Principal].Order(StringComparer.Ordinal)]))
            .ToList();
        return new MembersAnswer(users, groups);
    }

    /// <summary>One user's entry in <see cref="MembershipAsync"/>; no roles when the user is not in the project.</summary>
    public static async Task<MemberAnswer> MemberAsync(KlaxonDbContext db, string key, string login, CancellationToken cancellationToken)
    {
        var membership = await MembershipAsync(db, key, cancellationToken);
        if (membership.Users.SingleOrDefault(u => u.Login == login) is { } member) return member;
        var name = await db.Users.AsNoTracking().Where(u => u.Login == login).Select(u => u.Name).SingleOrDefaultAsync(cancellationToken);
        return new MemberAnswer(login, name ?? login, false, []);
    }

    private static string Known => string.Join(", ", Permissions.All);

    private static RoleAnswer Answer(RoleRow role) => new(role.Name, JsonSerializer.Deserialize<string[]>(role.Permissions) ?? []);

    private static string[] RolesOf(MemberRow member) => JsonSerializer.Deserialize<string[]>(member.Roles) ?? [];

    /// <summary>The distinct roles of a request, ordered by name; 400 naming every role the project does not have.</summary>
    private static async Task<List<string>> ReadRolesAsync(KlaxonDbContext db, string key, RolesRequest request, CancellationToken cancellationToken)
    {
        if (request.Roles is null) throw ProblemException.Invalid("roles", "is required: an array of role names, [] to remove the membership.");
        var existing = await db.Roles.AsNoTracking().Where(r => r.ProjectKey == key).Select(r => r.Name).ToListAsync(cancellationToken);
        var unknown = request.Roles.Where(r => !existing.Contains(r)).Distinct().ToList();
        if (unknown.Count > 0)
        {
            throw ProblemException.Invalid("roles",
                $"project {key} has no role {string.Join(", ", unknown.Select(r => $"'{r}'"))}; its roles are {string.Join(", ", existing.Order(StringComparer.Ordinal))}.");
        }
        return [.. request.Roles.Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>Replaces the roles of one user or group in a project; no roles removes the member row.</summary>
    private static async Task SetRolesAsync(KlaxonDbContext db, string key, string kind, string principal, List<string> roles, CancellationToken cancellationToken)
    {
        var row = await db.Members.SingleOrDefaultAsync(m => m.ProjectKey == key && m.Kind == kind && m.Principal == principal, cancellationToken);
        if (roles.Count == 0)
        {
            if (row is not null) db.Members.Remove(row);
        }
        else if (row is null)
        {
            db.Members.Add(new MemberRow { ProjectKey = key, Kind = kind, Principal = principal, Roles = JsonSerializer.Serialize(roles) });
        }
        else
        {
            row.Roles = JsonSerializer.Serialize(roles);
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Makes the current transaction wait for any other change to this project's members and roles (see <see cref="RowLocks"/>).</summary>
    private static Task LockProjectAsync(KlaxonDbContext db, string key, CancellationToken cancellationToken) =>
        db.Database.LockRowsAsync($"SELECT 1 FROM \"projects\" WHERE \"key\" = {key} FOR UPDATE", cancellationToken);
}
