using Klaxon.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Klaxon.Escalations;

/// <summary>
/// The users and role holders that notifications go to, read once per batch of fires: which logins are users
/// (with their e-mail addresses) and who holds a role in a project.
/// </summary>
public sealed class UserDirectory(KlaxonDbContext db)
{
    private readonly Dictionary<string, string?> emails = new(StringComparer.Ordinal);
    private readonly HashSet<string> unknown = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Project, string Role, bool DirectOnly), List<string>> roles = [];

    /// <summary>The logins that are users, in the order given, each with the user's e-mail address (or null).</summary>
    public async Task<List<(string Login, string? Email)>> KnownAsync(IEnumerable<string> logins, CancellationToken cancellationToken)
    {
        var wanted = logins.Distinct(StringComparer.Ordinal).ToList();
        var missing = wanted.Where(l => !emails.ContainsKey(l) && !unknown.Contains(l)).ToList();
        if (missing.Count > 0)
        {
            foreach (var user in await db.Users.AsNoTracking().Where(u => missing.Contains(u.Login)).Select(u => new { u.Login, u.Email }).ToListAsync(cancellationToken))
                emails[user.Login] = user.Email;
            unknown.UnionWith(missing.Where(l => !emails.ContainsKey(l)));
        }
        return [.. wanted.Where(emails.ContainsKey).Select(l => (l, emails[l]))];
    }

    /// <summary>The logins holding a role in a project (see <see cref="Access.MembersInRoleAsync"/>).</summary>
    public async Task<List<string>> MembersInRoleAsync(string projectKey, string role, bool directOnly, CancellationToken cancellationToken)
    {
        if (!roles.TryGetValue((projectKey, role, directOnly), out var members))
            roles[(projectKey, role, directOnly)] = members = await Access.MembersInRoleAsync(db, projectKey, role, directOnly, cancellationToken);
        return members;
    }
}
