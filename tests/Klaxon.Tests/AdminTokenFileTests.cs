using Klaxon.Infrastructure;

namespace Klaxon.Tests;

public sealed class AdminTokenFileTests : IDisposable
{
    private readonly string folder = RunningServer.NewDataDirectory();

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void ReadOrCreate_WithoutAFile_WritesANewTokenOnlyTheOwnerCanRead()
    {
        var token = AdminTokenFile.ReadOrCreate(folder, out var created);

        Assert.True(created);
        Assert.Matches("^[0-9a-f]{64}$", token);
        var path = Path.Combine(folder, "admin-token");
        Assert.Equal(token, File.ReadAllText(path).Trim());
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void ReadOrCreate_WithAFile_ReusesItsToken()
    {
        var first = AdminTokenFile.ReadOrCreate(folder, out _);

        var second = AdminTokenFile.ReadOrCreate(folder, out var created);

        Assert.False(created);
        Assert.Equal(first, second);
    }
}
