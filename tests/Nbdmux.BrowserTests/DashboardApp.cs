using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using Nbdmux.Api;

namespace Nbdmux.BrowserTests;

/// <summary>
/// The real daemon (real nbd-server, temp data dir, high random ports) on a real Kestrel socket,
/// and Debian's chromium driven by Playwright.
/// </summary>
public sealed class DashboardApp : IAsyncLifetime
{
    public const string Password = "lab-password";
    private const string ChromiumPath = "/usr/bin/chromium";

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("nbdmux-browser-");
    private WebApplication _app = null!;
    private IPlaywright _playwright = null!;
    private string? _loggedInState;

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl { get; private set; } = null!;

    public int NbdPort { get; private set; }

    public HttpClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Browser tests need Debian's chromium at {ChromiumPath}: apt-get install chromium.");
        }

        var port = LoopbackPorts.Free();
        NbdPort = LoopbackPorts.Free();
        _app = NbdmuxApp.Build([
            "--data-dir", Path.Combine(_root.FullName, "data"), "--images-dir", ImagesDir, "--port", port.ToString(CultureInfo.InvariantCulture), "--nbd-port", NbdPort.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1", "--admin-password", Password,
        ]);
        await _app.StartAsync();
        BaseUrl = $"http://127.0.0.1:{port}";
        Api = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Password);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>The image root, beside the data dir (never inside it).</summary>
    private string ImagesDir => Directory.CreateDirectory(Path.Combine(_root.FullName, "images")).FullName;

    /// <summary>A sparse raw image of the given size in the daemon's image root.</summary>
    public string CreateImage(string fileName, long sizeBytes)
    {
        var path = Path.Combine(ImagesDir, fileName);
        using var image = File.Create(path);
        image.SetLength(sizeBytes);
        return path;
    }

    public async Task RegisterOverApiAsync(string name, string file, bool readOnly = true)
    {
        var response = await Api.PostAsJsonAsync("/exports", new { name, file, @readonly = readOnly });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A fresh browser session with nobody logged in.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900, string? storageState = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            StorageState = storageState,
        });
        return await context.NewPageAsync();
    }

    public static async Task LogInAsync(IPage page)
    {
        await page.GetByLabel("Admin password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
    }

    /// <summary>
    /// A fresh browser session on the dashboard, logged in. The form is used once per app and its
    /// cookie reused: the login rate limit would refuse one form login per test.
    /// </summary>
    public async Task<IPage> LoggedInPageAsync(int width = 1280, int height = 900)
    {
        if (_loggedInState is null)
        {
            var first = await NewPageAsync();
            await first.GotoAsync("/");
            await LogInAsync(first);
            await first.WaitForURLAsync($"{BaseUrl}/");
            _loggedInState = await first.Context.StorageStateAsync();
            await first.Context.CloseAsync();
        }

        var page = await NewPageAsync(width, height, _loggedInState);
        await page.GotoAsync("/");
        return page;
    }

    public async Task DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
        Api.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await StopLeftNbdkitAsync();
        _root.Delete(recursive: true);
    }

    /// <summary>nbdmux leaves nbdkit serving its connected clients when it stops; a test's nbdkit has none left to serve.</summary>
    private async Task StopLeftNbdkitAsync()
    {
        var pidFile = Path.Combine(_root.FullName, "data", "nbdkit", "nbdkit.pid");
        if (!File.Exists(pidFile) || !int.TryParse((await File.ReadAllTextAsync(pidFile)).Trim(), CultureInfo.InvariantCulture, out var pid))
        {
            return;
        }

        try
        {
            using var nbdkit = System.Diagnostics.Process.GetProcessById(pid);
            nbdkit.Kill();
            await nbdkit.WaitForExitAsync();
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
    }

}
