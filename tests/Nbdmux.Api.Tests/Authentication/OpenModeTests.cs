using System.Net;

namespace Nbdmux.Api.Tests.Authentication;

public sealed class OpenModeTests : IAsyncLifetime
{
    private TestDaemon _daemon = null!;

    public async Task InitializeAsync() => _daemon = await TestDaemon.StartAsync(adminPassword: null);

    public async Task DisposeAsync() => await _daemon.DisposeAsync();

    [Fact]
    public async Task Without_password_api_is_open()
    {
        var response = await _daemon.CreateClient().GetAsync("/exports");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Without_password_dashboard_is_open_and_warns()
    {
        var response = await _daemon.CreateClient().GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("No admin password is set.", page);
        Assert.DoesNotContain("Log out", page);
    }

    [Fact]
    public async Task Without_password_login_page_sends_to_the_dashboard()
    {
        var response = await _daemon.CreateClient().GetAsync("/login");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }
}
