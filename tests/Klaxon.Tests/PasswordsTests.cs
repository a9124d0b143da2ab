using Klaxon.Infrastructure;

namespace Klaxon.Tests;

public sealed class PasswordsTests
{
    [Fact]
    public void Hash_ThenVerify_AcceptsThePasswordOnly()
    {
        var stored = Passwords.Hash("correct horse battery staple");

        Assert.True(Passwords.Verify("correct horse battery staple", stored));
        Assert.False(Passwords.Verify("correct horse battery stapler", stored));
        Assert.False(Passwords.Verify("", stored));
    }

    [Fact]
    public void Hash_UsesPbkdf2Sha256WithAtLeast100000IterationsAndAFreshSalt()
    {
        var first = Passwords.Hash("s3cret-pass").Split('$');
        var second = Passwords.Hash("s3cret-pass").Split('$');

        Assert.Equal("pbkdf2-sha256", first[0]);
        Assert.True(int.Parse(first[1]) >= 100_000, $"{first[1]} iterations");
        Assert.Equal(16, Convert.FromBase64String(first[2]).Length);
        Assert.Equal(32, Convert.FromBase64String(first[3]).Length);
        Assert.NotEqual(first[2], second[2]);
        Assert.NotEqual(first[3], second[3]);
    }

    [Fact]
    public void Hash_MatchesThePublishedPbkdf2HmacSha256Vector()
    {
        // RFC 7914, section 11: PBKDF2-HMAC-SHA256, P = "passwd", S = "salt", c = 1 (first 32 of its 64 bytes).
        var stored = Passwords.Hash("passwd", "salt"u8.ToArray(), 1);

        Assert.Equal("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc", Convert.ToHexStringLower(Convert.FromBase64String(stored.Split('$')[3])));
        Assert.True(Passwords.Verify("passwd", stored));
    }

    [Fact]
    public void Verify_HonoursTheIterationCountStoredWithTheHash()
    {
        var stored = Passwords.Hash("older-password", "0123456789abcdef"u8.ToArray(), 1_000);

        Assert.True(Passwords.Verify("older-password", stored));
        Assert.False(Passwords.Verify("older-password", stored.Replace("$1000$", "$1001$")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("plain-text-password")]
    [InlineData("md5$1$abc$def")]
    [InlineData("pbkdf2-sha256$x$c2FsdA==$AAAA")]
    [InlineData("pbkdf2-sha256$0$c2FsdA==$AAAA")]
    [InlineData("pbkdf2-sha256$1$not base64$AAAA")]
    [InlineData("pbkdf2-sha256$1$c2FsdA==")]
    public void Verify_WithoutAProperHash_IsFalse(string? stored) =>
        Assert.False(Passwords.Verify("plain-text-password", stored));

    [Theory]
    [InlineData("short", false)]
    [InlineData("1234567", false)]
    [InlineData("12345678", true)]
    public void Check_RefusesPasswordsShorterThanEightCharacters(string password, bool accepted) =>
        Assert.Equal(accepted, Passwords.Check(password) is null);
}
