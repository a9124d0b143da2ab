using Klaxon.Apis;
using Klaxon.Core.Tracking;
using Klaxon.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Klaxon.Web.Pages.Groups;

/// <summary>A project's escalation groups (needs "View Escalation Schedule", as the API's list does).</summary>
public sealed class ListModel(KlaxonDbContext db, Access access) : PageModel
{
    [FromRoute]
    public string Key { get; set; } = "";

    public List<EscalationGroupAnswer> Groups { get; private set; } = [];
    public bool MayAdminister { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Groups = (await EscalationGroupsApi.ListGroups(Key, db, access, cancellationToken)).Value!;
        MayAdminister = (await access.PermissionsAsync(Key, cancellationToken)).Contains(Permissions.Administer);
    }
}
