using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Nbdmux.Api.Tests;

public sealed class ImagesApiTests : IDisposable
{
    private readonly NbdmuxApiFactory _factory = new();
    private readonly HttpClient _http;

    public ImagesApiTests() => _http = _factory.CreateClient();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Lists_the_files_beneath_the_roots_with_their_verdict_and_the_exports_using_them()
    {
        var raw = _factory.CreateImage("debian.img", 1 << 20);
        Directory.CreateDirectory(Path.Combine(_factory.ImagesDir, "lab"));
        var qcow2 = Path.Combine(_factory.ImagesDir, "lab", "vm.qcow2");
        await File.WriteAllBytesAsync(qcow2, [(byte)'Q', (byte)'F', (byte)'I', 0xfb, 0, 0, 0, 3, .. new byte[1020]]);
        await _http.PostAsJsonAsync("/exports", new { name = "debian", file = raw });

        var page = await _http.GetFromJsonAsync<JsonObject>("/images");

        Assert.Equal([_factory.ImagesDir], page!["roots"]!.AsArray().Select(root => (string?)root));
        Assert.Equal(2, (int?)page["total"]);
        var images = page["images"]!.AsArray();
        Assert.Equal([raw, qcow2], images.Select(image => (string?)image!["path"]));
        Assert.True((bool?)images[0]!["servable"]);
        Assert.Equal(1 << 20, (long?)images[0]!["size_bytes"]);
        Assert.Equal("none", (string?)images[0]!["partition_table"]);
        Assert.Equal(["debian"], images[0]!["exports"]!.AsArray().Select(name => (string?)name));
        Assert.False((bool?)images[1]!["servable"]);
        Assert.Contains("qemu-img convert", (string?)images[1]!["problem"]);
    }

    [Fact]
    public async Task Symlinks_are_not_followed_out_of_the_roots()
    {
        var outside = Directory.CreateTempSubdirectory("nbdmux-outside-");
        try
        {
            var secret = Path.Combine(outside.FullName, "secret.img");
            await File.WriteAllBytesAsync(secret, new byte[4096]);
            File.CreateSymbolicLink(Path.Combine(_factory.ImagesDir, "link.img"), secret);
            Directory.CreateSymbolicLink(Path.Combine(_factory.ImagesDir, "elsewhere"), outside.FullName);

            var page = await _http.GetFromJsonAsync<JsonObject>("/images");

            Assert.Equal(0, (int?)page!["total"]);
        }
        finally
        {
            outside.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Large_roots_come_in_pages()
    {
        foreach (var name in new[] { "a.img", "b.img", "c.img" })
        {
            _factory.CreateImage(name, 512);
        }

        var page = await _http.GetFromJsonAsync<JsonObject>("/images?page=2&page_size=2");

        Assert.Equal(3, (int?)page!["total"]);
        Assert.Equal([Path.Combine(_factory.ImagesDir, "c.img")], page["images"]!.AsArray().Select(image => (string?)image!["path"]));
    }

    [Fact]
    public async Task A_page_size_out_of_range_is_a_problem_saying_the_range()
    {
        var response = await _http.GetAsync("/images?page_size=0");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("page_size must be between 1 and 1000", await response.Content.ReadAsStringAsync());
    }
}
