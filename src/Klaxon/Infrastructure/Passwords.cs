using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Klaxon.Infrastructure;

/// <summary>
/// Passwords as kept in <c>users.password_hash</c>: PBKDF2 with HMAC-SHA-256 over a random 128-bit salt, in the
/// self-describing form <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c> (salt and hash in Base64). The iteration count
/// travels with each hash, so raising <see cref="Iterations"/> later leaves existing passwords valid.
/// </summary>
public static class Passwords
{
    public const string Scheme = "pbkdf2-sha256";

    /// <summary>The iterations new hashes use (OWASP's 2023 figure for PBKDF2-HMAC-SHA-256).</summary>
    public const int Iterations = 600_000;

    /// <summary>The fewest characters a password may have.</summary>
    public const int MinimumLength = 8;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>A new salted hash of <paramref name="password"/>; hashing the same password twice gives different text.</summary>
    public static string Hash(string password) => Hash(password, RandomNumberGenerator.GetBytes(SaltBytes), Iterations);

    /// <summary>
    /// Whether <paramref name="password"/> is the one <paramref name="stored"/> was made from. False for a user without
    /// a password (null) and for text that is not a hash of this form; the comparison takes the same time wherever
    /// the hashes differ.
    /// </summary>
    public static bool Verify(string password, string? stored)
    {
        if (stored is null) return false;
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme) return false;
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 1) return false;
        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>What is wrong with <paramref name="password"/> as a new password, or null when it may be used.</summary>
    public static string? Check(string password) =>
        password.Length < MinimumLength ? $"must have at least {MinimumLength} characters." : null;

    /// <summary>The stored form for a given salt and iteration count (tests pin it against published PBKDF2 vectors).</summary>
    public static string Hash(string password, byte[] salt, int iterations)
    {
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }
}
