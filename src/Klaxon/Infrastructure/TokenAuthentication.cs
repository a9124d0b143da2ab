using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Klaxon.Infrastructure;

/// <summary>
/// Authenticates <c>Authorization: Bearer TOKEN</c> against the users' API tokens (kept as SHA-256 hashes).
/// A request without a token, or with an unknown one, is answered 401 with problem details saying which.
/// </summary>
public sealed class TokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, KlaxonDbContext db, ConfigCache cache)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Token";

    private const string Missing = "This endpoint needs an API token: send the header 'Authorization: Bearer TOKEN'.";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrWhiteSpace(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("The Authorization header is not a bearer token: send 'Authorization: Bearer TOKEN'.");
        var hash = Hash(header["Bearer ".Length..].Trim());
        // The token's user comes along, so that Access does not read it again for this request.
        var user = await cache.GetAsync(db, ("token", hash), () => db.Tokens.AsNoTracking().Where(t => t.Hash == hash)
            .Join(db.Users, t => t.Login, u => u.Login, (_, u) => u).FirstOrDefaultAsync(Context.RequestAborted), Context.RequestAborted);
        if (user is null) return AuthenticateResult.Fail("The bearer token is not known.");
        Context.Items[typeof(UserRow)] = user;
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user.Login)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized.",
                Detail = result.Failure?.Message ?? Missing,
            },
        });
    }

    /// <summary>The stored form of a token: its SHA-256 as lower-case hex (tokens are 256 random bits, so no salt is needed).</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>A new random token (256 bits, hex).</summary>
    public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
