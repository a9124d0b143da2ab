using System.Net;
using System.Text.Json;
using Klaxon.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Tests;

/// <summary>Listing items by a saved view and by an ad-hoc filter: selection in the database, sorting, paging.</summary>
public sealed class ItemListingTests : IAsyncLifetime
{
    private const string Items = "/api/v1/projects/LST/items";
    private ListingProject project = null!;

    public async Task InitializeAsync()
    {
        project = await ListingProject.StartAsync();
        var start = RunningServer.Start;
        // INC-1 … INC-8: status, priority, submitted hours before the server's start, region, cost.
        (string Status, int? Priority, int HoursAgo, string? Region, decimal? Cost)[] items =
        [
            ("New", 1, 10, "EMEA", 5m),
            ("New", 2, 1, "APAC", null),
            ("Open", 1, 30, "EMEA", 12.5m),
            ("New", 3, 2, null, 7m),
            ("New", null, 50, "EMEA", null),
            ("New", 2, 5, "EMEA", 1m),
            ("Closed", 1, 100, "APAC", 3m),
            ("New", 1, 3, null, null),
        ];
        var n = 0;
        foreach (var (status, priority, hoursAgo, region, cost) in items)
        {
            var fields = new Dictionary<string, object?> { ["region"] = region, ["cost"] = cost, ["due"] = ListingProject.Millis(start + Duration.FromHours(++n)) };
            await project.AddItemAsync($"Incident {n}", i =>
            {
                i.Status = status;
                i.Priority = priority;
                i.SubmittedAt = ListingProject.Millis(start - Duration.FromHours(hoursAgo));
                i.Fields = JsonSerializer.Serialize(fields.Where(f => f.Value is not null).ToDictionary());
                i.AssignedTo = n % 2 == 0 ? """["bob"]""" : "[]";
            });
        }
        // Items that no listing of INC in LST may show.
        await project.AddItemAsync("A bug", i => i.Priority = 1, tracker: "BUG");
        await project.AddItemAsync("Elsewhere", i => i.Priority = 1, tracker: "OTH", project: "OTH");
    }

    public async Task DisposeAsync() => await project.DisposeAsync();

    private static string Query(string filter, string more = "") => $"{Items}?tracker=INC&filter={Uri.EscapeDataString(filter)}{more}";

    private async Task<long> CreateViewAsync(string filter, bool isPublic = true)
    {
        using var response = await project.Lead.PostJsonAsync("/api/v1/projects/LST/views",
            JsonSerializer.Serialize(new { name = "View", tracker = "INC", filter, @public = isPublic }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (long)(await response.ReadJsonAsync())["id"]!;
    }

    [Fact]
    public async Task AView_ListsTheItemsItsFilterSelects_ById()
    {
        var id = await CreateViewAsync("status == \"New\" and priority <= 2");

        var page = await project.Lead.GetJsonAsync($"/api/v1/projects/LST/views/{id}/items");

        Assert.Equal(["INC-1", "INC-2", "INC-6", "INC-8"], ListingProject.Keys(page));
        Assert.Equal(4, (int)page["total"]!);
        Assert.Equal(1, (int)page["page"]!);
        Assert.Equal(50, (int)page["pageSize"]!);
    }

    [Fact]
    public async Task AListedItem_HasTheShapeOfGetItem()
    {
        var page = await project.Ann.GetJsonAsync(Query("summary == \"Incident 1\""));

        Http.AssertSameJson("""
            {"key":"INC-1","project":"LST","tracker":"INC","summary":"Incident 1","description":null,"status":"New","priority":1,"severity":null,
             "submitter":"ann","submittedAt":"2026-03-27T04:00:00Z","assignedTo":[],"supervisors":[],"startDate":null,"endDate":null,
             "estimatedHours":null,"resolution":null,"fields":{"region":"EMEA","cost":5,"due":"2026-03-27T15:00:00Z","vip":null},"links":[],
             "version":1,"updatedAt":"2026-03-27T14:00:00Z"}
            """, page["items"]![0]);
    }

    [Fact]
    public async Task AListedItem_ShowsItsLinksBothWays()
    {
        var ids = await project.ReadAsync(db => db.Items.Where(i => i.Key == "INC-2" || i.Key == "BUG-1" || i.Key == "INC-3")
            .ToDictionaryAsync(i => i.Key, i => i.Id));
        await project.WriteAsync(db =>
        {
            db.Links.Add(new LinkRow { ItemId = ids["INC-2"], Type = "bug-report", TargetItemId = ids["BUG-1"], CreatedAt = ListingProject.Millis(RunningServer.Start) });
            db.Links.Add(new LinkRow { ItemId = ids["INC-3"], Type = "duplicate", TargetItemId = ids["INC-2"], CreatedAt = ListingProject.Millis(RunningServer.Start) });
        });

        var page = await project.Ann.GetJsonAsync(Query("key == \"INC-2\""));

        Http.AssertSameJson("""
            [{"type":"bug-report","direction":"outgoing","item":"BUG-1","summary":"A bug","status":"New","createdAt":"2026-03-27T14:00:00Z"},
             {"type":"duplicate","direction":"incoming","item":"INC-3","summary":"Incident 3","status":"Open","createdAt":"2026-03-27T14:00:00Z"}]
            """, page["items"]![0]!["links"]);
    }

    [Theory]
    [InlineData("status in (\"New\", null) and priority <= 2", "INC-1,INC-2,INC-6,INC-8")]
    [InlineData("priority is null", "INC-5")]
    [InlineData("not (priority <= 2)", "INC-4,INC-5")]
    [InlineData("fields.region == \"EMEA\" and coalesce(fields.cost, 0) > 2", "INC-1,INC-3")]
    [InlineData("fields.region is empty", "INC-4,INC-8")]
    [InlineData("contains(assignedTo, \"bob\")", "INC-2,INC-4,INC-6,INC-8")]
    [InlineData("now() - submittedAt > 24h", "INC-3,INC-5,INC-7")]
    [InlineData("submittedAt >= \"2026-03-27T11:00:00Z\"", "INC-2,INC-4,INC-8")]
    [InlineData("(priority == 1 or priority == 2 ? 1 : 4) == 4 and status != \"Closed\"", "INC-4,INC-5")]
    [InlineData("fields.due < submittedAt + 20h", "INC-1,INC-2,INC-4,INC-6,INC-8")]
    public async Task AFilter_ListsWhatItSelects_OfThatTrackerOnly(string filter, string keys)
    {
        var page = await project.Ann.GetJsonAsync(Query(filter));

        Assert.Equal(keys.Split(','), ListingProject.Keys(page));
        Assert.Equal(keys.Split(',').Length, (int)page["total"]!);
    }

    [Fact]
    public async Task WithoutAFilter_EveryItemOfTheTrackerOrProjectIsListed()
    {
        Assert.Equal(8, (int)(await project.Ann.GetJsonAsync($"{Items}?tracker=INC"))["total"]!);
        var all = await project.Ann.GetJsonAsync($"{Items}?sort=key");
        Assert.Equal(["BUG-1", "INC-1", "INC-2", "INC-3", "INC-4", "INC-5", "INC-6", "INC-7", "INC-8"], ListingProject.Keys(all));
    }

    [Fact]
    public async Task Sort_ByPriorityThenNewestFirst_PutsEmptyValuesLastAndBreaksTiesById()
    {
        var page = await project.Ann.GetJsonAsync($"{Items}?tracker=INC&sort=priority,-submittedAt");

        Assert.Equal(["INC-8", "INC-1", "INC-3", "INC-7", "INC-2", "INC-6", "INC-4", "INC-5"], ListingProject.Keys(page));
        var descending = await project.Ann.GetJsonAsync($"{Items}?tracker=INC&sort=-priority");
        Assert.Equal(["INC-4", "INC-2", "INC-6", "INC-1", "INC-3", "INC-7", "INC-8", "INC-5"], ListingProject.Keys(descending));
        var byStatus = await project.Ann.GetJsonAsync($"{Items}?tracker=INC&sort=status");
        Assert.Equal(["INC-7", "INC-1", "INC-2", "INC-4", "INC-5", "INC-6", "INC-8", "INC-3"], ListingProject.Keys(byStatus));
    }

    [Fact]
    public async Task Paging_SplitsTheSortedListWithoutOverlap_AndKeepsTheTotal()
    {
        var id = await CreateViewAsync("status != \"Closed\"");
        var pages = new List<string>();
        for (var number = 1; number <= 4; number++)
        {
            var page = await project.Ann.GetJsonAsync($"/api/v1/projects/LST/views/{id}/items?sort=-priority&pageSize=2&page={number}");
            Assert.Equal(7, (int)page["total"]!);
            Assert.Equal(2, (int)page["pageSize"]!);
            Assert.Equal(number, (int)page["page"]!);
            pages.AddRange(ListingProject.Keys(page));
        }
        Assert.Equal(["INC-4", "INC-2", "INC-6", "INC-1", "INC-3", "INC-8", "INC-5"], pages);
        Assert.Empty(ListingProject.Keys(await project.Ann.GetJsonAsync($"/api/v1/projects/LST/views/{id}/items?pageSize=2&page=5")));
    }

    [Fact]
    public async Task Now_IsTheServersClock()
    {
        var filter = Query("now() - submittedAt > 24h");
        Assert.Equal(3, (int)(await project.Ann.GetJsonAsync(filter))["total"]!);

        using (await project.Admin.PostJsonAsync("/api/v1/clock/advance", """{"by":"PT20H"}""")) { }

        Assert.Equal(["INC-1", "INC-3", "INC-5", "INC-6", "INC-7"], ListingProject.Keys(await project.Ann.GetJsonAsync(filter)));
    }

    [Theory]
    [InlineData("?tracker=INC&filter=(priority%20%3C%202", "filter: line 1, column 14: expected ')' after '2'")]
    [InlineData("?tracker=INC&filter=prio%20%3D%3D%201", "filter: line 1, column 1: unknown field 'prio'")]
    [InlineData("?filter=priority%20%3D%3D%201", "filter: needs a tracker")]
    [InlineData("?tracker=NOPE", "tracker: there is no tracker 'NOPE' in project LST.")]
    [InlineData("?tracker=OTH", "tracker: there is no tracker 'OTH' in project LST.")]
    [InlineData("?tracker=INC&sort=colour", "sort: 'colour' is not a sort key")]
    [InlineData("?tracker=INC&sort=priority,priority", "sort: 'priority' appears twice.")]
    [InlineData("?tracker=INC&pageSize=501", "pageSize: 501 is not a page size; use 1 to 500")]
    [InlineData("?tracker=INC&pageSize=0", "pageSize: 0 is not a page size")]
    [InlineData("?tracker=INC&page=0", "page: 0 is not a page number")]
    public async Task AWrongListingRequest_Is400SayingWhatIsWrong(string query, string message)
    {
        using var response = await project.Ann.GetAsync(Items + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(message, (string)(await response.ReadJsonAsync())["detail"]!);
    }

    [Fact]
    public async Task PageSize_UpTo500_IsAccepted()
    {
        var page = await project.Ann.GetJsonAsync($"{Items}?tracker=INC&pageSize=500");

        Assert.Equal(500, (int)page["pageSize"]!);
        Assert.Equal(8, ListingProject.Keys(page).Count);
    }

    [Fact]
    public async Task AViewWhoseFilterNoLongerFitsItsTracker_Is422NamingTheProblem()
    {
        var id = await CreateViewAsync("fields.cost > 2");
        await project.WriteAsync(db =>
        {
            var tracker = db.Trackers.Single(t => t.Key == "INC");
            tracker.Definition = tracker.Definition.Replace("\"cost\"", "\"price\"");
        });

        using var response = await project.Ann.GetAsync($"/api/v1/projects/LST/views/{id}/items");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("line 1, column 1: unknown field 'fields.cost'", (string)(await response.ReadJsonAsync())["detail"]!);
    }
}
