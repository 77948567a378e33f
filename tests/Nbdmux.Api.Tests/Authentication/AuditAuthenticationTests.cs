using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Nbdmux.Api.Authentication;

namespace Nbdmux.Api.Tests.Authentication;

/// <summary>With a password: log-ins are audited, records say how the caller got in, and /events is protected like /exports.</summary>
public sealed class AuditAuthenticationTests : IAsyncLifetime
{
    private const string Password = "correct horse battery staple";
    private TestDaemon _daemon = null!;

    public async Task InitializeAsync() => _daemon = await TestDaemon.StartAsync(Password);

    public async Task DisposeAsync() => await _daemon.DisposeAsync();

    [Fact]
    public async Task Failed_and_successful_log_ins_are_recorded()
    {
        var browser = _daemon.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await BrowserForms.LogInAsync(browser, "guess")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await BrowserForms.LogInAsync(browser, Password)).StatusCode);

        var events = await EventsAsync(BearerClient(), "/events?action=login");

        Assert.Equal([("ok", null, null), ("refused", 401, "That is not the admin password.")],
            events.Select(e => ((string?)e!["outcome"], (int?)e["status"], (string?)e["reason"])));
        Assert.All(events, e => Assert.Equal(("none", null), ((string?)e!["authentication"], (string?)e["export"])));
    }

    [Fact]
    public async Task Log_ins_refused_by_the_rate_limit_are_recorded_with_429()
    {
        var browser = _daemon.CreateClient();
        for (var attempt = 0; attempt <= LoginRateLimit.AttemptsPerWindow; attempt++)
        {
            await BrowserForms.LogInAsync(browser, "guess");
        }

        var limited = Assert.Single(await EventsAsync(BearerClient(), "/events?action=login&page_size=1"))!;

        Assert.Equal(("refused", 429), ((string?)limited["outcome"], (int?)limited["status"]));
        Assert.Contains("Too many attempts", (string?)limited["reason"]);
    }

    [Fact]
    public async Task A_change_records_whether_the_caller_used_the_bearer_token_or_the_login_cookie()
    {
        var bearer = BearerClient();
        (await bearer.DeleteAsync("/exports/nothing-here")).Dispose();
        var browser = _daemon.CreateClient();
        await BrowserForms.LogInAsync(browser, Password);
        (await BrowserForms.PostAsync(browser, "/", "/dashboard/exports", new() { ["Name"] = "from-browser", ["File"] = "/nope.img" })).Dispose();

        var changes = await EventsAsync(bearer, "/events?outcome=refused");

        Assert.Equal([("register", "from-browser", "cookie", 400), ("remove", "nothing-here", "bearer", 404)],
            changes.Select(e => ((string?)e!["action"], (string?)e["export"], (string?)e["authentication"], (int?)e["status"])));
    }

    [Fact]
    public async Task Events_need_the_password_like_exports()
    {
        var response = await _daemon.CreateClient().GetAsync("/events");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(UnauthorizedProblem.MissingCredentials, await response.Content.ReadAsStringAsync());
        var page = await _daemon.CreateClient().GetAsync("/dashboard/events");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/login", page.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Dashboard_page_lists_and_filters_the_events_and_is_linked_from_the_header()
    {
        var browser = _daemon.CreateClient();
        await BrowserForms.LogInAsync(browser, Password);
        await BrowserForms.PostAsync(browser, "/", "/dashboard/exports/remove", new() { ["name"] = "ghost" });

        var home = await browser.GetStringAsync("/");
        var all = await browser.GetStringAsync("/dashboard/events");
        var removals = await browser.GetStringAsync("/dashboard/events?action=remove&outcome=refused");
        var logins = await browser.GetStringAsync("/dashboard/events?action=login");
        var invalid = await browser.GetAsync("/dashboard/events?outcome=maybe");

        Assert.Contains("href=\"/dashboard/events\"", home);
        Assert.Contains("2 events", all);
        Assert.Contains("ghost", removals);
        Assert.Contains("No export is named", removals);
        Assert.Contains("1 event<", removals);
        Assert.DoesNotContain("ghost", logins);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("outcome must be one of", await invalid.Content.ReadAsStringAsync());
    }

    private HttpClient BearerClient()
    {
        var client = _daemon.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Password);
        return client;
    }

    private static async Task<JsonArray> EventsAsync(HttpClient client, string path) =>
        (await client.GetFromJsonAsync<JsonObject>(path))!["events"]!.AsArray();
}
