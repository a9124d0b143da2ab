using Klaxon.Delivery;
using Klaxon.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Klaxon.Escalations;

/// <summary>
/// Where a batch of fires sends its messages, read once per batch: which logins are users (with their e-mail
/// addresses), who holds a role in a project, and each project's enabled webhooks.
/// </summary>
public sealed class RecipientDirectory(KlaxonDbContext db)
{
    private readonly Dictionary<string, string?> emails = new(StringComparer.Ordinal);
    private readonly HashSet<string> unknown = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Project, string Role, bool DirectOnly), List<string>> roles = [];
    private readonly Dictionary<string, List<WebhookRow>> webhooks = new(StringComparer.Ordinal);

    /// <summary>The logins that are users, each once in the order given, with the user's e-mail address (or null).</summary>
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

    /// <summary>The project's enabled webhooks.</summary>
    public async Task<List<WebhookRow>> WebhooksAsync(string projectKey, CancellationToken cancellationToken)
    {
        if (!webhooks.TryGetValue(projectKey, out var hooks))
            webhooks[projectKey] = hooks = await db.Webhooks.AsNoTracking().Where(h => h.ProjectKey == projectKey && h.Enabled).ToListAsync(cancellationToken);
        return hooks;
    }
}
