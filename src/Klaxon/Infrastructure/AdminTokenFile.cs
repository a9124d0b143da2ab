using System.Security.Cryptography;

namespace Klaxon.Infrastructure;

/// <summary>
/// The admin token kept in <c>DATA/admin-token</c> when none is given: created once with 256 random bits,
/// readable by its owner only, and reused on every later start.
/// </summary>
public static class AdminTokenFile
{
    public const string FileName = "admin-token";

    /// <summary>The token in the file, or a new one written there (<paramref name="created"/> tells which).</summary>
    public static string ReadOrCreate(string dataDirectory, out bool created)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length == 0) throw new InvalidOperationException($"The admin token file {path} is empty; delete it to have a new token made.");
            created = false;
            return existing;
        }
        Directory.CreateDirectory(dataDirectory);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(path, token + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        created = true;
        return token;
    }
}
