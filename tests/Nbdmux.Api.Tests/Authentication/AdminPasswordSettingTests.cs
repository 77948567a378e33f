using Microsoft.Extensions.Options;

namespace Nbdmux.Api.Tests.Authentication;

/// <summary>A password that a Bearer header cannot carry exactly stops nbdmux at start, saying which rule it breaks.</summary>
public sealed class AdminPasswordSettingTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("nbdmux-password-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Theory]
    [InlineData(" leading space", "starts or ends with whitespace")]
    [InlineData("trailing space ", "starts or ends with whitespace")]
    [InlineData("\ttab first", "starts or ends with whitespace")]
    [InlineData("newline last\n", "starts or ends with whitespace")]
    [InlineData("new\nline", "contains a control character")]
    [InlineData("bell\a", "contains a control character")]
    [InlineData("del\u007f", "contains a control character")]
    [InlineData("naïve", "contains a character that is not printable ASCII")]
    [InlineData("no\u00a0break", "contains a character that is not printable ASCII")]
    [InlineData("smile\U0001F600", "contains a character that is not printable ASCII")]
    public async Task A_password_a_bearer_header_cannot_carry_is_refused_at_start(string password, string rule)
    {
        // What Program does, which prints the refusal as one line and exits with 1.
        var refusal = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = NbdmuxApp.Build(["--data-dir", _dataDir, "--admin-password", password, "--nbd-server-bin", "/nonexistent/nbd-server"]);
            await app.StartAsync();
        });

        Assert.Contains($"--admin-password {rule}, so it could never be sent as 'Authorization: Bearer <password>'", refusal.Message);
        Assert.DoesNotContain(password.Trim(), refusal.Message);
        Assert.DoesNotContain('\n', refusal.Message);
        Assert.False(Directory.Exists(Path.Combine(_dataDir, "nbd-server")), "nothing started");
    }
}
