using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Infrastructure;

/// <summary>
/// The first administrator: user <c>admin</c>, whose start-up token (<c>--admin-token</c>, KLAXON_ADMIN_TOKEN or
/// DATA/admin-token) is made valid on every start; a token given at an earlier start is replaced.
/// </summary>
public static class AdminBootstrap
{
    public const string Login = "admin";
    public const string TokenName = "start-up admin token";

    public static async Task EnsureAsync(StorageLocation storage, string token, IClock clock, CancellationToken cancellationToken = default)
    {
        await using var db = new KlaxonDbContext(storage.Options());
        var now = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
        if (await db.Users.FindAsync([Login], cancellationToken) is null)
            db.Users.Add(new UserRow { Login = Login, Name = "Administrator", Email = "admin@localhost", IsAdmin = true, CreatedAt = now });
        var hash = TokenHandler.Hash(token);
        var previous = await db.Tokens.Where(t => t.Login == Login && t.Name == TokenName && t.Hash != hash).ToListAsync(cancellationToken);
        db.Tokens.RemoveRange(previous);
        if (!await db.Tokens.AnyAsync(t => t.Hash == hash, cancellationToken))
            db.Tokens.Add(new TokenRow { Login = Login, Hash = hash, Name = TokenName, CreatedAt = now });
        await db.SaveChangesAsync(cancellationToken);
    }
}
