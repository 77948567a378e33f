using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Moq;
using Nbdmux.Api.Authentication;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Api.Tests.Authentication;

/// <summary>Every rule of the admin password, through the real pipeline.</summary>
public sealed class AdminPasswordTests : IAsyncLifetime
{
    private const string Password = "correct horse battery staple";
    private TestDaemon _daemon = null!;

    public async Task InitializeAsync() => _daemon = await TestDaemon.StartAsync(Password);

    public async Task DisposeAsync() => await _daemon.DisposeAsync();

    [Fact]
    public async Task ApiWithoutCredentialsIsRefusedWithProblemDetails()
    {
        var response = await _daemon.CreateClient().GetAsync("/exports");

        await AssertUnauthorizedProblemAsync(response, UnauthorizedProblem.MissingCredentials);
    }

    [Fact]
    public async Task ApiWithWrongBearerIsRefusedWithProblemDetails()
    {
        var client = _daemon.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not it");

        var response = await client.DeleteAsync("/exports/debian");

        await AssertUnauthorizedProblemAsync(response, UnauthorizedProblem.WrongPassword);
    }

    [Fact]
    public async Task ApiWithRightBearerIsServed()
    {
        var client = _daemon.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Password);

        var response = await client.GetAsync("/exports");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("[]", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DashboardWithoutLoginRedirectsToTheLoginPage()
    {
        var response = await _daemon.CreateClient().GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login?ReturnUrl=%2F", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task LiveRefreshWithoutLoginRedirectsToTheLoginPage()
    {
        var response = await _daemon.CreateClient().GetAsync("/dashboard/live");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task LoginSetsAnHttpOnlyLaxSecureCookieThatOpensTheDashboard()
    {
        var client = _daemon.CreateClient("https://localhost");

        var login = await BrowserForms.LogInAsync(client, Password);

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location!.OriginalString);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), header => header.StartsWith("nbdmux.auth="));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        var dashboard = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Add an export", await dashboard.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CookieOverPlainHttpIsNotMarkedSecure()
    {
        var login = await BrowserForms.LogInAsync(_daemon.CreateClient(), Password);

        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), header => header.StartsWith("nbdmux.auth="));
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WrongPasswordShowsAnErrorAndSetsNoCookie()
    {
        var login = await BrowserForms.LogInAsync(_daemon.CreateClient(), "guess");

        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Contains("That is not the admin password.", await login.Content.ReadAsStringAsync());
        Assert.DoesNotContain(login.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], header => header.StartsWith("nbdmux.auth="));
    }

    [Fact]
    public async Task LoginIsRefusedWith429AfterTooManyAttempts()
    {
        var client = _daemon.CreateClient();
        for (var attempt = 0; attempt < LoginRateLimit.AttemptsPerWindow; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await BrowserForms.LogInAsync(client, $"guess {attempt}")).StatusCode);
        }

        var refused = await BrowserForms.LogInAsync(client, Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("Too many attempts", await refused.Content.ReadAsStringAsync());
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    [Fact]
    public async Task WrongBearerTokensAreRefusedWith429AfterTooManyGuessesWhileTheRightOneStillWorks()
    {
        var guesser = _daemon.CreateClient();
        for (var guess = 0; guess < LoginRateLimit.AttemptsPerWindow; guess++)
        {
            guesser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", $"guess {guess}");
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.GetAsync("/exports")).StatusCode);
        }

        var refused = await guesser.GetAsync("/exports");
        var admin = _daemon.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Too many attempts", await refused.Content.ReadAsStringAsync());
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/exports")).StatusCode);
    }

    [Fact]
    public async Task LogoutEndsTheSession()
    {
        var client = _daemon.CreateClient();
        await BrowserForms.LogInAsync(client, Password);

        var logout = await BrowserForms.PostAsync(client, "/", "/logout", []);

        Assert.Equal("/login", logout.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task FormPostsWithoutAntiforgeryTokenAreRejected()
    {
        var client = _daemon.CreateClient();
        await BrowserForms.LogInAsync(client, Password);
        var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["Name"] = "debian", ["File"] = "/srv/debian.img" });

        var add = await client.PostAsync("/dashboard/exports", form);
        var remove = await client.PostAsync("/dashboard/exports/remove", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "debian" }));
        var login = await _daemon.CreateClient().PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["Password"] = Password }));

        Assert.Equal(HttpStatusCode.BadRequest, add.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, remove.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);
        _daemon.NbdServer.Verify(server => server.PublishAsync(It.IsAny<ServedExport>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task HealthzNeedsNoCredentials()
    {
        var response = await _daemon.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("nbd-server is down: nbd-server exited with status 1", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DashboardShowsValidationErrorsNextToTheirField()
    {
        var client = _daemon.CreateClient();
        await BrowserForms.LogInAsync(client, Password);

        var add = await BrowserForms.PostAsync(client, "/", "/dashboard/exports",
            new() { ["Name"] = "no spaces please", ["File"] = "relative.img", ["Readonly"] = "true" });

        Assert.Equal(HttpStatusCode.BadRequest, add.StatusCode);
        var page = await add.Content.ReadAsStringAsync();
        Assert.Matches("id=\"name-error\"[^>]*>name must be", page);
        Assert.Matches("id=\"file-error\"[^>]*>file must be an absolute path", page);
    }

    [Fact]
    public async Task LiveRefreshShowsNbdServerDownWithItsLastError()
    {
        var client = _daemon.CreateClient();
        await BrowserForms.LogInAsync(client, Password);

        var live = await client.GetStringAsync("/dashboard/live");

        Assert.Matches("data-testid=\"server-state\">\\s*<span class=\"dot\" aria-hidden=\"true\"></span>down", live);
        Assert.Contains("nbd-server exited with status 1", live);
        Assert.Contains("3 crash restarts", live);
    }

    private static async Task AssertUnauthorizedProblemAsync(HttpResponseMessage response, string error)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(error, problem.RootElement.GetProperty("error").GetString());
    }
}
