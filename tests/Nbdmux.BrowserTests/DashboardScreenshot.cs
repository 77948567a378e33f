namespace Nbdmux.BrowserTests;

/// <summary>
/// Writes docs/dashboard.png: the dashboard with a few typical exports. A generator, not a test:
/// it runs only on request, `NBDMUX_UPDATE_SCREENSHOT=1 dotnet test tests/Nbdmux.BrowserTests
/// --filter DashboardScreenshot`, and is reported as skipped otherwise.
/// </summary>
public sealed class DashboardScreenshot : IAsyncLifetime
{
    private readonly DashboardApp _app = new();

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => _app.DisposeAsync();

    [OnRequestFact(UpdateVariable)]
    public async Task Dashboard_with_a_few_exports()
    {
        const long gib = 1024L * 1024 * 1024;
        await _app.RegisterOverApiAsync("debian-13-root", _app.CreateImage("debian-13-root.img", 4 * gib));
        await _app.RegisterOverApiAsync("ubuntu-24.04-live", _app.CreateImage("ubuntu-24.04-live.img", 6 * gib + gib / 2));
        await _app.RegisterOverApiAsync("scratch", _app.CreateImage("scratch.img", 20 * gib), readOnly: false);
        var page = await _app.LoggedInPageAsync(width: 1280, height: 940);
        await Microsoft.Playwright.Assertions.Expect(page.Locator("tbody[data-export]")).ToHaveCountAsync(3);

        var path = Repository.Path("docs/dashboard.png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });

        Assert.True(new FileInfo(path).Length > 10_000);
    }

    private const string UpdateVariable = "NBDMUX_UPDATE_SCREENSHOT";
}
