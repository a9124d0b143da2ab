using System.Text.RegularExpressions;
using Klaxon.Core;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Apis;

/// <summary>A user as clients see it; the password itself is never shown, only whether there is one.</summary>
public sealed record UserAnswer(string Login, string Name, string Email, bool Admin, bool HasPassword, string CreatedAt);

public sealed record CreateUserRequest
{
    /// <summary>Lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, such as <c>j.doe</c>.</summary>
    public string? Login { get; init; }
    public string? Name { get; init; }
    public string? Email { get; init; }

    /// <summary>For signing in to the web UI; without one the user works with API tokens only.</summary>
    public string? Password { get; init; }
    public bool? Admin { get; init; }
}

/// <summary>The properties to change; a property left out (or null) stays as it is.</summary>
public sealed record UpdateUserRequest
{
    public string? Name { get; init; }
    public string? Email { get; init; }
    public string? Password { get; init; }

    /// <summary>Only administrators may send this.</summary>
    public bool? Admin { get; init; }
}

public sealed record CreateTokenRequest
{
    /// <summary>What the token is for, such as "CI pipeline".</summary>
    public string? Name { get; init; }
}

/// <summary>An API token without its secret.</summary>
public sealed record TokenAnswer(long Id, string Name, string CreatedAt);

/// <summary>A new API token: the only answer that ever contains <see cref="Token"/>.</summary>
public sealed record NewTokenAnswer(long Id, string Name, string CreatedAt, string Token);

/// <summary>
/// Users and their API tokens. Any authenticated caller may list and read users; administrators create them and
/// may change anyone; a user may change their own name, e-mail and password and manage their own tokens. A token's
/// secret is shown once, when it is made, and kept only as a hash.
/// </summary>
public static partial class UsersApi
{
    public const string DefaultTokenName = "API token";

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex LoginPattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+$")]
    private static partial Regex EmailPattern();

    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/me", GetMe).WithTags("Users").WithSummary("The caller: the user whose token this is.");

        var api = app.MapGroup("/users").WithTags("Users");
        api.MapGet("", ListUsers).WithSummary("All users, ordered by login.");
        api.MapGet("/{login}", GetUser).WithSummary("One user.").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("", CreateUser).WithSummary("Creates a user (administrators only); 409 if the login is taken.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPatch("/{login}", UpdateUser)
            .WithSummary("Changes a user's name, e-mail or password (administrators, or the user themself); the admin flag only by administrators.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        api.MapGet("/{login}/tokens", ListTokens).WithSummary("A user's API tokens: ids, names, creation times, never the tokens themselves.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/{login}/tokens", CreateToken)
            .WithSummary("Makes an API token for a user (administrators, or the user themself); the answer is the only place the token is shown.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/{login}/tokens/{id:long}", DeleteToken).WithSummary("Revokes one of a user's API tokens.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Ok<UserAnswer>> GetMe(Access access, CancellationToken cancellationToken) =>
        TypedResults.Ok(Answer(await access.UserAsync(cancellationToken)));

    public static async Task<Ok<List<UserAnswer>>> ListUsers(KlaxonDbContext db, CancellationToken cancellationToken)
    {
        var users = await db.Users.AsNoTracking().ToListAsync(cancellationToken);
        return TypedResults.Ok(users.OrderBy(u => u.Login, StringComparer.Ordinal).Select(Answer).ToList());
    }

    public static async Task<Ok<UserAnswer>> GetUser(string login, KlaxonDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(Answer(await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Login == login, cancellationToken) ?? throw NotFound(login)));

    public static async Task<Created<UserAnswer>> CreateUser(
        CreateUserRequest request, KlaxonDbContext db, Access access, IClock clock, CancellationToken cancellationToken)
    {
        await access.RequireAdminAsync("create users", cancellationToken);
        var errors = new List<Diagnostic>();
        if (string.IsNullOrWhiteSpace(request.Login)) errors.Add(new("login", "is required (lower-case letters, digits, '.', '_' and '-', such as j.doe)."));
        else if (!LoginPattern().IsMatch(request.Login))
            errors.Add(new("login", $"'{request.Login}' is not a login: use 1 to 64 lower-case letters, digits, '.', '_' and '-', starting with a letter or digit."));
        CheckName(request.Name, required: true, errors);
        CheckEmail(request.Email, required: true, errors);
        CheckPassword(request.Password, errors);
        ProblemException.ThrowIfAny(errors);

        var user = new UserRow
        {
            Login = request.Login!,
            Name = request.Name!.Trim(),
            Email = request.Email!.Trim(),
            PasswordHash = request.Password is null ? null : Passwords.Hash(request.Password),
            IsAdmin = request.Admin ?? false,
            CreatedAt = clock.GetCurrentInstant().ToUnixTimeMilliseconds(),
        };
        if (await db.Users.AnyAsync(u => u.Login == user.Login, cancellationToken)) throw Taken(user.Login);
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another request may have created the same login between the check and the insert.
            db.ChangeTracker.Clear();
            if (await db.Users.AnyAsync(u => u.Login == user.Login, cancellationToken)) throw Taken(user.Login);
            throw;
        }
        return TypedResults.Created($"/api/v1/users/{user.Login}", Answer(user));
    }

    public static async Task<Ok<UserAnswer>> UpdateUser(
        string login, UpdateUserRequest request, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await RequireSelfOrAdminAsync(access, login, "change other users", cancellationToken);
        if (request.Admin is not null) await access.RequireAdminAsync("grant or revoke administrator rights", cancellationToken);
        var errors = new List<Diagnostic>();
        CheckName(request.Name, required: false, errors);
        CheckEmail(request.Email, required: false, errors);
        CheckPassword(request.Password, errors);
        ProblemException.ThrowIfAny(errors);
        // Hashing is slow on purpose (600,000 PBKDF2 rounds), so it is done before the transaction starts.
        var passwordHash = request.Password is null ? null : Passwords.Hash(request.Password);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Two administrators revoking each other's flag at once take turns, so one of them stays.
        if (request.Admin == false) await db.Database.LockRowsAsync($"SELECT 1 FROM \"users\" WHERE \"is_admin\" FOR UPDATE", cancellationToken);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Login == login, cancellationToken) ?? throw NotFound(login);
        if (request.Admin == false && user.IsAdmin && !await db.Users.AnyAsync(u => u.IsAdmin && u.Login != login, cancellationToken))
            throw ProblemException.Conflict($"'{login}' is the only administrator; make another user an administrator first.");
        if (request.Name is not null) user.Name = request.Name.Trim();
        if (request.Email is not null) user.Email = request.Email.Trim();
        if (passwordHash is not null) user.PasswordHash = passwordHash;
        if (request.Admin is { } admin) user.IsAdmin = admin;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(Answer(user));
    }

    public static async Task<Ok<List<TokenAnswer>>> ListTokens(string login, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await RequireSelfOrAdminAsync(access, login, "see other users' tokens", cancellationToken);
        await RequireUserAsync(db, login, cancellationToken);
        var tokens = await db.Tokens.AsNoTracking().Where(t => t.Login == login).OrderBy(t => t.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(tokens.Select(t => new TokenAnswer(t.Id, t.Name, Instant(t.CreatedAt))).ToList());
    }

    public static async Task<Created<NewTokenAnswer>> CreateToken(
        string login, CreateTokenRequest? request, KlaxonDbContext db, Access access, IClock clock, CancellationToken cancellationToken)
    {
        await RequireSelfOrAdminAsync(access, login, "make tokens for other users", cancellationToken);
        var name = request?.Name?.Trim() ?? DefaultTokenName;
        if (name.Length is 0 or > 100) throw ProblemException.Invalid("name", "must have 1 to 100 characters.");
        await RequireUserAsync(db, login, cancellationToken);

        var secret = TokenHandler.NewToken();
        var token = new TokenRow { Login = login, Hash = TokenHandler.Hash(secret), Name = name, CreatedAt = clock.GetCurrentInstant().ToUnixTimeMilliseconds() };
        db.Tokens.Add(token);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/users/{login}/tokens/{token.Id}", new NewTokenAnswer(token.Id, token.Name, Instant(token.CreatedAt), secret));
    }

    public static async Task<NoContent> DeleteToken(string login, long id, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await RequireSelfOrAdminAsync(access, login, "revoke other users' tokens", cancellationToken);
        await RequireUserAsync(db, login, cancellationToken);
        var deleted = await db.Tokens.Where(t => t.Id == id && t.Login == login).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0) throw ProblemException.NotFound($"User '{login}' has no token {id}.");
        return TypedResults.NoContent();
    }

    public static UserAnswer Answer(UserRow user) =>
        new(user.Login, user.Name, user.Email, user.IsAdmin, user.PasswordHash is not null, Instant(user.CreatedAt));

    /// <summary>Refuses (403) a caller who is neither <paramref name="login"/> nor an administrator.</summary>
    private static async Task RequireSelfOrAdminAsync(Access access, string login, string action, CancellationToken cancellationToken)
    {
        if (access.Login != login) await access.RequireAdminAsync(action, cancellationToken);
    }

    private static async Task RequireUserAsync(KlaxonDbContext db, string login, CancellationToken cancellationToken)
    {
        if (!await db.Users.AnyAsync(u => u.Login == login, cancellationToken)) throw NotFound(login);
    }

    private static void CheckName(string? name, bool required, List<Diagnostic> errors)
    {
        if (name is null ? required : name.Trim().Length == 0) errors.Add(new("name", "is required."));
        else if (name?.Trim().Length > 200) errors.Add(new("name", "must have at most 200 characters."));
    }

    private static void CheckEmail(string? email, bool required, List<Diagnostic> errors)
    {
        if (email is null)
        {
            if (required) errors.Add(new("email", "is required, such as j.doe@example.com."));
        }
        else if (email.Trim().Length > 254 || !EmailPattern().IsMatch(email.Trim()))
        {
            errors.Add(new("email", $"'{email}' is not an e-mail address such as j.doe@example.com."));
        }
    }

    private static void CheckPassword(string? password, List<Diagnostic> errors)
    {
        if (password is not null && Passwords.Check(password) is { } problem) errors.Add(new("password", problem));
    }

    private static string Instant(long unixMilliseconds) => IsoText.FormatInstant(NodaTime.Instant.FromUnixTimeMilliseconds(unixMilliseconds));

    private static ProblemException NotFound(string login) => ProblemException.NotFound($"There is no user '{login}'.");

    private static ProblemException Taken(string login) =>
        ProblemException.Conflict($"A user '{login}' already exists; PATCH /api/v1/users/{login} changes it.");
}
