using System.Net;
using Microsoft.Playwright;
using Nbdmux.Nbd;
using static Microsoft.Playwright.Assertions;

namespace Nbdmux.BrowserTests;

/// <summary>What a new operator met in the first hour: the add form's choices, its errors, and every page fitting the screen.</summary>
public sealed class DashboardLayoutTests(DashboardApp app) : IClassFixture<DashboardApp>
{
    /// <summary>Every element beyond its page, card or stat box, and every path cut short: what a reader would have to scroll sideways for, or never see.</summary>
    private const string Overflows = """
        () => {
            const problems = [];
            const root = document.documentElement;
            if (root.scrollWidth > root.clientWidth) problems.push(`the page is ${root.scrollWidth} px wide in a ${root.clientWidth} px window`);
            for (const element of document.querySelectorAll(".card *, .stat *")) {
                const box = element.closest(".card, .stat").getBoundingClientRect();
                const rect = element.getBoundingClientRect();
                if (rect.width > 1 && rect.right > box.right + 1) {
                    problems.push(`${element.tagName.toLowerCase()}.${element.className} "${element.textContent.trim().slice(0, 40)}" ends at ${Math.round(rect.right)} px, its box at ${Math.round(box.right)} px`);
                }
            }
            for (const path of document.querySelectorAll(".export-file")) {
                if (path.scrollWidth > path.clientWidth + 1) problems.push(`"${path.textContent.trim()}" is cut off`);
            }
            return problems;
        }
        """;

    [Fact]
    public async Task The_add_form_offers_the_images_in_the_roots_and_takes_copy_on_write_and_an_allow_list()
    {
        var image = app.CreateImage("picked-from-the-list.img", 2L * 1024 * 1024);
        var page = await app.LoggedInPageAsync();

        await Expect(page.Locator($"#image-files option[value='{image}']")).ToHaveCountAsync(1);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("picked");
        await page.GetByLabel("Image file").FillAsync(image);
        await page.GetByLabel("Copy-on-write").CheckAsync();
        await page.GetByLabel("Allowed clients").FillAsync("10.20.0.0/16, 192.0.2.7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add export" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Export picked added." })).ToBeVisibleAsync();
        var row = page.Locator("tbody[data-export='picked']");
        await Expect(row).ToContainTextAsync("copy-on-write");
        await Expect(row).ToContainTextAsync("only 10.20.0.0/16, 192.0.2.7");
        await Expect(row.Locator(".export-file").First).ToHaveTextAsync(image);
    }

    [Fact]
    public async Task A_refused_add_shows_its_errors_at_the_top_of_the_form_in_view()
    {
        for (var i = 0; i < 6; i++)
        {
            await app.RegisterOverApiAsync($"filler-{i}", app.CreateImage($"filler-{i}.img", 4096));
        }

        var page = await app.LoggedInPageAsync(width: 1280, height: 700);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("refused");
        await page.GetByLabel("Image file").FillAsync("/etc/passwd");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add export" }).ClickAsync();

        var errors = page.Locator("#add-errors");
        await Expect(errors).ToContainTextAsync("outside the image roots");
        await Expect(errors).ToBeInViewportAsync();
        await Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("refused");
    }

    [Fact]
    public async Task Connected_peers_are_shown_and_counted_in_words_and_restarts_say_why()
    {
        var image = app.CreateImage("booted.img", 1024 * 1024);
        await app.RegisterOverApiAsync("booted", image);
        await using var client = await NbdClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, app.NbdPort), "booted", CancellationToken.None);

        var page = await app.LoggedInPageAsync();

        var row = page.Locator("tbody[data-export='booted']");
        await Expect(row.GetByTestId("peers")).ToHaveTextAsync(client.LocalEndPoint, new() { Timeout = 8000 });
        await Expect(page.Locator(".stats")).ToContainTextAsync("1 client connected");
        await Expect(page.GetByTestId("failure-restarts")).ToHaveTextAsync("0 crash restarts");
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(1400)]
    [InlineData(1920)]
    public async Task No_page_overflows_its_window_or_its_cards(int width)
    {
        var deep = Path.Combine("a-rather-long-directory-name-for-images", "another-level-of-directories-here");
        Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(app.CreateImage("probe.img", 512))!, deep));
        var image = app.CreateImage(Path.Combine(deep, $"ubuntu-24.04.1-desktop-amd64-with-extra-long-suffix-{width}.img"), 4096);
        var name = $"a-long-export-for-the-layout-test-{width}";
        await app.RegisterOverApiAsync(name, image);
        await app.Api.PostAsync("/exports", new StringContent("""{"name":"refused","file":"/etc/passwd"}""", System.Text.Encoding.UTF8, "application/json"));
        await using var client = await NbdClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, app.NbdPort), name, CancellationToken.None);

        var page = await app.LoggedInPageAsync(width: width);
        await Expect(page.Locator($"tbody[data-export='{name}'] .actions")).ToContainTextAsync("Disconnect & remove", new() { Timeout = 8000 });
        Assert.Empty(await page.EvaluateAsync<string[]>(Overflows));

        await page.GotoAsync("/dashboard/events");
        Assert.Empty(await page.EvaluateAsync<string[]>(Overflows));
        foreach (var row in await page.Locator("tr[data-event]").AllAsync())
        {
            Assert.True((await row.BoundingBoxAsync())!.Height < 160, $"an audit row is {(await row.BoundingBoxAsync())!.Height} px tall: {await row.TextContentAsync()}");
        }
    }
}
