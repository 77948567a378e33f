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
    public async Task Api_without_credentials_is_refused_with_problem_details()
    {
        var response = await _daemon.CreateClient().GetAsync("/exports");

        await AssertUnauthorizedProblemAsync(response, UnauthorizedProblem.MissingCredentials);
    }

    [Fact]
    public async Task Api_with_wrong_bearer_is_refused_with_problem_details()
    {
        var client = _daemon.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not it");

        var response = await client.DeleteAsync("/exports/debian");

        await AssertUnauthorizedProblemAsync(response, UnauthorizedProblem.WrongPassword);
    }

    [Fact]
    public async Task Api_with_right_bearer_is_served()
    {
        var client = _daemon.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Password);

        var response = await client.GetAsync("/exports");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("[]", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Dashboard_without_login_redirects_to_the_login_page()
    {
        var response = await _daemon.CreateClient().GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login?ReturnUrl=%2F", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Live_refresh_without_login_redirects_to_the_login_page()
    {
        var response = await _daemon.CreateClient().GetAsync("/dashboard/live");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Login_sets_an_http_only_lax_secure_cookie_that_opens_the_dashboard()
    {
        var client = _daemon.CreateClient("https://localhost");

        var login = await BrowserForms.LogInAsync(client, Password);

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location!.OriginalString);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), header => header.StartsWith("nbdmux.auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        var dashboard = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Add an export", await dashboard.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Cookie_over_plain_http_is_not_marked_secure()
    {
        var login = await BrowserForms.LogInAsync(_daemon.CreateClient(), Password);

        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), header => header.StartsWith("nbdmux.auth=", StringComparison.Ordinal));
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Wrong_password_shows_an_error_and_sets_no_cookie()
    {
        var login = await BrowserForms.LogInAsync(_daemon.CreateClient(), "guess");

        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Contains("That is not the admin password.", await login.Content.ReadAsStringAsync());
        Assert.DoesNotContain(login.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], header => header.StartsWith("nbdmux.auth=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Login_is_refused_with_429_after_too_many_attempts()
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
    public async Task Wrong_bearer_tokens_are_refused_with_429_after_too_many_guesses_while_the_right_one_still_works()
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
    public async Task Logout_ends_the_session()
    {
        var client = _daemon.CreateClient();
        await BrowserForms.LogInAsync(client, Password);

        var logout = await BrowserForms.PostAsync(client, "/", "/logout", []);

        Assert.Equal("/login", logout.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task Form_posts_without_antiforgery_token_are_rejected()
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
    public async Task Healthz_needs_no_credentials()
    {
        var response = await _daemon.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("nbd-server is down: nbd-server exited with status 1", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Dashboard_shows_validation_errors_next_to_their_field()
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
    public async Task Live_refresh_shows_nbd_server_down_with_its_last_error()
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
