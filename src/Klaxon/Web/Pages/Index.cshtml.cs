using Klaxon.Apis;
using Klaxon.Core.Tracking;
using Klaxon.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Klaxon.Web.Pages;

public sealed record ProjectLine(ProjectAnswer Project, int Items, bool SeesEscalations);

/// <summary>The projects the user may view (as GET /api/v1/projects lists them).</summary>
public sealed class IndexModel(KlaxonDbContext db, Access access) : PageModel
{
    public List<ProjectLine> Projects { get; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        foreach (var project in (await ProjectsApi.ListProjects(db, access, cancellationToken)).Value!)
        {
            var permissions = await access.PermissionsAsync(project.Key, cancellationToken);
            var items = await db.Items.CountAsync(i => i.ProjectKey == project.Key, cancellationToken);
            Projects.Add(new ProjectLine(project, items, permissions.Contains(Permissions.ViewEscalationSchedule)));
        }
    }
}
