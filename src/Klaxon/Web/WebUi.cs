using System.Reflection;
using System.Security.Claims;
using Klaxon.Apis;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Klaxon.Web;

/// <summary>
/// The browser UI served by <c>klaxon serve</c>: Razor Pages under <c>Web/Pages</c>, signed in with a cookie for
/// users with a password. The REST API stays bearer-only: its endpoints never read the cookie, and the pages never
/// read a bearer token. Pages call the API's own handlers and <see cref="Access"/>, so both see the same permissions.
/// </summary>
public static class WebUi
{
    /// <summary>The cookie authentication scheme of the UI.</summary>
    public const string CookieScheme = "Cookie";

    /// <summary>The authorization policy of every page except sign-in: a signed-in user, by the UI cookie only.</summary>
    public const string Policy = "ui";

    public static void AddWebUi(this IServiceCollection services, AuthenticationBuilder authentication)
    {
        authentication.AddCookie(CookieScheme, o =>
        {
            o.Cookie.Name = "klaxon";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.LoginPath = "/signin";
            o.LogoutPath = "/signout";
            o.AccessDeniedPath = "/signin";
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            o.SlidingExpiration = true;
        });
        services.AddAuthorization(o => o.AddPolicy(Policy, p => p.AddAuthenticationSchemes(CookieScheme).RequireAuthenticatedUser()));
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Web/Pages";
            o.Conventions.AuthorizeFolder("/", Policy);
            o.Conventions.AllowAnonymousToPage("/SignIn");
        })
        .AddMvcOptions(o => o.Filters.Add<ProblemPageFilter>())
        // The pages are compiled into this assembly, which is not the entry assembly when a test process hosts the server.
        .ConfigureApplicationPartManager(parts =>
        {
            var assembly = typeof(WebUi).Assembly;
            if (parts.ApplicationParts.OfType<Microsoft.AspNetCore.Mvc.ApplicationParts.AssemblyPart>().Any(p => p.Assembly == assembly)) return;
            foreach (var part in Microsoft.AspNetCore.Mvc.ApplicationParts.ApplicationPartFactory.GetApplicationPartFactory(assembly).GetApplicationParts(assembly))
                parts.ApplicationParts.Add(part);
        });
    }

    public static void MapWebUi(this WebApplication app)
    {
        app.MapRazorPages();
        app.MapGet("/ui/site.css", () => Asset("site.css", "text/css; charset=utf-8")).ExcludeFromDescription();
        app.MapGet("/ui/site.js", () => Asset("site.js", "text/javascript; charset=utf-8")).ExcludeFromDescription();
        // Checks an expression as someone types: the same answer as POST /api/v1/expressions/check, for the signed-in user.
        app.MapGet("/ui/check", async (string? tracker, string? expect, string? expression, Infrastructure.KlaxonDbContext db, Access access, CancellationToken cancellationToken) =>
                (await ExpressionsApi.Check(new ExpressionCheckRequest { Tracker = tracker, Expect = expect, Expression = expression ?? "" }, db, access, cancellationToken)).Value)
            .RequireAuthorization(Policy).ExcludeFromDescription();
    }

    /// <summary>Signs a user in with the UI cookie, after their password was checked.</summary>
    public static Task SignInAsync(HttpContext http, string login) =>
        http.SignInAsync(CookieScheme, new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, login)], CookieScheme)));

    public static Task SignOutAsync(HttpContext http) => http.SignOutAsync(CookieScheme);

    private static IResult Asset(string name, string contentType)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Klaxon.Web.Assets.{name}")
            ?? throw new InvalidOperationException($"The UI asset {name} is not embedded in the build.");
        using var reader = new StreamReader(stream);
        return Results.Text(reader.ReadToEnd(), contentType);
    }
}
