using System.Collections.Frozen;
using System.Security.Claims;
using System.Text.Json;
using Klaxon.Core.Tracking;
using Microsoft.EntityFrameworkCore;

namespace Klaxon.Infrastructure;

/// <summary>
/// Who is calling and what they may do. A project's permissions for a user are the union of the permissions
/// of the roles the user holds in it directly and through groups (an indirect member); administrators may do
/// everything. Handlers ask before they change anything, so a refusal (403) leaves data untouched.
/// </summary>
public sealed class Access(KlaxonDbContext db, IHttpContextAccessor http, ConfigCache cache)
{
    private UserRow? user;

    /// <summary>The login of the authenticated caller.</summary>
    public string Login => http.HttpContext?.User.FindFirstValue(ClaimTypes.Name)
        ?? throw new InvalidOperationException("Access is asked outside an authenticated request.");

    public async Task<UserRow> UserAsync(CancellationToken cancellationToken = default) =>
        user ??= http.HttpContext?.Items[typeof(UserRow)] as UserRow is { } authenticated && authenticated.Login == Login
            ? authenticated
            : await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Login == Login, cancellationToken)
            ?? throw ProblemException.Forbidden($"The user '{Login}' of this token no longer exists.");

    public async Task<bool> IsAdminAsync(CancellationToken cancellationToken = default) => (await UserAsync(cancellationToken)).IsAdmin;

    /// <summary>Refuses (403) a caller who is not an administrator.</summary>
    public async Task RequireAdminAsync(string action, CancellationToken cancellationToken = default)
    {
        if (!await IsAdminAsync(cancellationToken))
            throw ProblemException.Forbidden($"Only administrators may {action}; '{Login}' is not one.");
    }

    /// <summary>The caller's permissions in a project; 404 when the project does not exist.</summary>
    public async Task<IReadOnlySet<string>> PermissionsAsync(string projectKey, CancellationToken cancellationToken = default)
    {
        var admin = await IsAdminAsync(cancellationToken);
        return await cache.GetAsync(db, ("permissions", projectKey, Login, admin), () => ReadPermissionsAsync(projectKey, admin, cancellationToken), cancellationToken)
            ?? throw ProblemException.NotFound($"There is no project '{projectKey}'.");
    }

    private static readonly IReadOnlySet<string> All = Permissions.All.ToFrozenSet();

    /// <summary>What <see cref="PermissionsAsync"/> answers, read from the database; null when the project does not exist.</summary>
    private async Task<IReadOnlySet<string>?> ReadPermissionsAsync(string projectKey, bool admin, CancellationToken cancellationToken)
    {
        if (!await db.Projects.AnyAsync(p => p.Key == projectKey, cancellationToken)) return null;
        if (admin) return All;
        var roles = await RolesAsync(db, projectKey, Login, directOnly: false, cancellationToken);
        var granted = await db.Roles.AsNoTracking().Where(r => r.ProjectKey == projectKey && roles.Contains(r.Name)).Select(r => r.Permissions).ToListAsync(cancellationToken);
        return granted.SelectMany(p => JsonSerializer.Deserialize<string[]>(p) ?? []).ToFrozenSet();
    }

    /// <summary>Refuses (403, or 404 for an unknown project) a caller without <paramref name="permission"/> in the project.</summary>
    public async Task RequireAsync(string projectKey, string permission, CancellationToken cancellationToken = default)
    {
        var granted = await PermissionsAsync(projectKey, cancellationToken);
        if (!granted.Contains(permission))
            throw ProblemException.Forbidden($"'{Login}' lacks the permission '{permission}' in project {projectKey}.");
    }

    /// <summary>The roles a user holds in a project: directly, and (unless <paramref name="directOnly"/>) through groups.</summary>
    public static async Task<HashSet<string>> RolesAsync(KlaxonDbContext db, string projectKey, string login, bool directOnly, CancellationToken cancellationToken = default)
    {
        var rows = await db.Members.AsNoTracking()
            .Where(m => m.ProjectKey == projectKey &&
                        ((m.Kind == MemberRow.UserKind && m.Principal == login) ||
                         (!directOnly && m.Kind == MemberRow.GroupKind && db.GroupMembers.Any(g => g.GroupName == m.Principal && g.Login == login))))
            .Select(m => m.Roles)
            .ToListAsync(cancellationToken);
        return rows.SelectMany(r => JsonSerializer.Deserialize<string[]>(r) ?? []).ToHashSet();
    }

    /// <summary>The logins holding <paramref name="role"/> in a project: direct members, and (unless <paramref name="directOnly"/>) members of groups in it.</summary>
    public static async Task<List<string>> MembersInRoleAsync(KlaxonDbContext db, string projectKey, string role, bool directOnly, CancellationToken cancellationToken = default)
    {
        var members = await db.Members.AsNoTracking().Where(m => m.ProjectKey == projectKey).ToListAsync(cancellationToken);
        var holding = members.Where(m => (JsonSerializer.Deserialize<string[]>(m.Roles) ?? []).Contains(role)).ToList();
        var logins = holding.Where(m => m.Kind == MemberRow.UserKind).Select(m => m.Principal).ToHashSet();
        if (!directOnly)
        {
            var groups = holding.Where(m => m.Kind == MemberRow.GroupKind).Select(m => m.Principal).ToList();
            logins.UnionWith(await db.GroupMembers.AsNoTracking().Where(g => groups.Contains(g.GroupName)).Select(g => g.Login).ToListAsync(cancellationToken));
        }
        return [.. logins.Order(StringComparer.Ordinal)];
    }
}
