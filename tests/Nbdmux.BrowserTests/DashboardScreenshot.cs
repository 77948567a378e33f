namespace Nbdmux.BrowserTests;

/// <summary>
/// The dashboard with a few typical exports, as docs/dashboard.png shows it. A normal run writes
/// the picture to a temporary file (the tree stays as it was); to refresh the one in the README,
/// run `NBDMUX_UPDATE_SCREENSHOT=1 dotnet test tests/Nbdmux.BrowserTests --filter DashboardScreenshot`.
/// </summary>
public sealed class DashboardScreenshot : IAsyncLifetime
{
    private const string UpdateVariable = "NBDMUX_UPDATE_SCREENSHOT";

    private readonly DashboardApp _app = new();

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task DashboardWithAFewExports()
    {
        const long gib = 1024L * 1024 * 1024;
        await _app.RegisterOverApiAsync("debian-13-root", _app.CreateImage("debian-13-root.img", 4 * gib));
        await _app.RegisterOverApiAsync("ubuntu-24.04-live", _app.CreateImage("ubuntu-24.04-live.img", 6 * gib + gib / 2));
        await _app.RegisterOverApiAsync("scratch", _app.CreateImage("scratch.img", 20 * gib), readOnly: false);
        var page = await _app.LoggedInPageAsync(width: 1280, height: 940);
        await Microsoft.Playwright.Assertions.Expect(page.Locator("tbody[data-export]")).ToHaveCountAsync(3);

        var path = Environment.GetEnvironmentVariable(UpdateVariable) == "1"
            ? Path.Combine(RepositoryRoot(), "docs", "dashboard.png")
            : Path.Combine(Path.GetTempPath(), $"nbdmux-dashboard-{Guid.NewGuid():N}.png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });

        Assert.True(new FileInfo(path).Length > 10_000);
        if (!path.StartsWith(RepositoryRoot(), StringComparison.Ordinal))
        {
            File.Delete(path);
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "nbdmux.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"no nbdmux.sln above {AppContext.BaseDirectory}");
    }
}
