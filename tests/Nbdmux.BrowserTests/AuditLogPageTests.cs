using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Nbdmux.BrowserTests;

public sealed class AuditLogPageTests(DashboardApp app) : IClassFixture<DashboardApp>
{
    [Fact]
    public async Task Operator_opens_the_audit_log_from_the_header_and_filters_it()
    {
        await app.RegisterOverApiAsync("audited-api", app.CreateImage("audited-api.img", 1024 * 1024));
        var page = await app.LoggedInPageAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();

        await Expect(page).ToHaveURLAsync($"{app.BaseUrl}/dashboard/events");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Audit log" })).ToBeVisibleAsync();
        var registered = page.Locator("tr[data-event]").Filter(new() { HasText = "audited-api" });
        await Expect(registered).ToContainTextAsync("register");
        await Expect(registered).ToContainTextAsync("bearer");
        await Expect(registered).ToContainTextAsync("ok");

        await page.GetByLabel("Action").SelectOptionAsync("login");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("action=login"));
        await Expect(page.Locator("tr[data-event]").First).ToContainTextAsync("login");
        await Expect(page.Locator("tr[data-event]").Filter(new() { HasText = "audited-api" })).ToHaveCountAsync(0);
        await Expect(page.GetByLabel("Action")).ToHaveValueAsync("login");
    }
}
