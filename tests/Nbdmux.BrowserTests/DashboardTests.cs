using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Nbdmux.BrowserTests;

public sealed class DashboardTests(DashboardApp app) : IClassFixture<DashboardApp>
{
    [Fact]
    public async Task Operator_logs_in_and_out()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync($"{app.BaseUrl}/login?ReturnUrl=%2F");

        await DashboardApp.LogInAsync(page);

        await Expect(page).ToHaveURLAsync($"{app.BaseUrl}/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Add an export" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("server-state")).ToHaveTextAsync("running");

        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();

        await Expect(page).ToHaveURLAsync($"{app.BaseUrl}/login");
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Log in to nbdmux" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Export_added_through_the_form_is_listed_with_its_size()
    {
        var image = app.CreateImage("form-added.img", 1536L * 1024 * 1024);
        var page = await app.LoggedInPageAsync();

        await page.GetByLabel("Name").FillAsync("form-added");
        await page.GetByLabel("Image file").FillAsync(image);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add export" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Export form-added added." })).ToBeVisibleAsync();
        var row = page.Locator("tbody[data-export='form-added']");
        await Expect(row.Locator(".size")).ToHaveTextAsync("1.5 GiB");
        await Expect(row).ToContainTextAsync("read-only");
        await Expect(row).ToContainTextAsync(image);
        await Expect(row.Locator(".connect .nbd-client code")).ToHaveTextAsync($"nbd-client 127.0.0.1 {app.NbdPort} -name form-added /dev/nbd0");
        await Expect(row.Locator(".connect .ramboot code")).ToHaveTextAsync($"ip=dhcp nbdroot=127.0.0.1:{app.NbdPort}/form-added root=/dev/nbd0 ro nbdmux.overlay=tmpfs");
    }

    [Fact]
    public async Task Bad_name_is_explained_next_to_the_field()
    {
        var image = app.CreateImage("bad-name.img", 1024 * 1024);
        var page = await app.LoggedInPageAsync();

        await page.GetByLabel("Name").FillAsync("no spaces allowed");
        await page.GetByLabel("Image file").FillAsync(image);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add export" }).ClickAsync();

        await Expect(page.Locator("#name-error")).ToContainTextAsync("name must be 1 to 64 letters");
        await Expect(page.GetByLabel("Name")).ToHaveValueAsync("no spaces allowed");
        await Expect(page.Locator("#file-error")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Removal_asks_for_confirmation_first()
    {
        await app.RegisterOverApiAsync("to-remove", app.CreateImage("to-remove.img", 4096));
        var page = await app.LoggedInPageAsync();
        var row = page.Locator("tbody[data-export='to-remove']");
        var remove = row.GetByRole(AriaRole.Button, new() { Name = "Remove export to-remove" });

        var questions = new List<string>();
        var answer = false;
        page.Dialog += (_, dialog) =>
        {
            questions.Add(dialog.Message);
            _ = answer ? dialog.AcceptAsync() : dialog.DismissAsync();
        };

        await remove.ClickAsync();
        await page.WaitForTimeoutAsync(500);
        await Expect(row).ToBeVisibleAsync();
        answer = true;
        await remove.ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Export to-remove removed." })).ToBeVisibleAsync();
        await Expect(row).ToHaveCountAsync(0);
        Assert.All(questions, question => Assert.StartsWith("Remove export \"to-remove\"?", question));
        Assert.Equal(2, questions.Count);
    }

    [Fact]
    public async Task Export_added_over_the_api_appears_without_reload()
    {
        var page = await app.LoggedInPageAsync();
        await page.EvaluateAsync("window.sameDocument = true");

        await app.RegisterOverApiAsync("from-api", app.CreateImage("from-api.img", 8L * 1024 * 1024 * 1024), readOnly: false);

        var row = page.Locator("tbody[data-export='from-api']");
        await Expect(row).ToBeVisibleAsync(new() { Timeout = 8000 });
        await Expect(row.Locator(".size")).ToHaveTextAsync("8 GiB");
        await Expect(row).ToContainTextAsync("read-write");
        Assert.True(await page.EvaluateAsync<bool>("window.sameDocument === true"));
    }

    [Fact]
    public async Task Copy_button_puts_the_client_command_on_the_clipboard()
    {
        await app.RegisterOverApiAsync("copy-me", app.CreateImage("copy-me.img", 4096));
        var page = await app.LoggedInPageAsync();
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);

        var copy = page.GetByRole(AriaRole.Button, new() { Name = "Copy the nbd-client command for copy-me" });
        await copy.ClickAsync();

        await Expect(copy).ToHaveTextAsync("Copied");
        Assert.Equal($"nbd-client 127.0.0.1 {app.NbdPort} -name copy-me /dev/nbd0", await page.EvaluateAsync<string>("navigator.clipboard.readText()"));
    }
}
