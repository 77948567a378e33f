using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Moq;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Api.Tests;

/// <summary>
/// Every input rule of POST /exports: a 4xx problem detail, and nothing changes. (The body size
/// limit is Kestrel's, which the test server lacks: the integration tests cover 413.)
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly NbdmuxApiFactory _factory = new();
    private readonly HttpClient _http;
    private readonly string _image;

    public BadInputTests()
    {
        _http = _factory.CreateClient();
        _image = _factory.CreateImage("good.img", 4096);
    }

    public void Dispose() => _factory.Dispose();

    public static TheoryData<string, string, HttpStatusCode, string> Cases() => new()
    {
        { "missing name", """{"file":"IMAGE"}""", HttpStatusCode.BadRequest, "name is required" },
        { "empty name", """{"name":"","file":"IMAGE"}""", HttpStatusCode.BadRequest, "name is required" },
        { "name with a space", """{"name":"bad name","file":"IMAGE"}""", HttpStatusCode.BadRequest, "name must be" },
        { "name injecting a section", """{"name":"x]\n[evil","file":"IMAGE"}""", HttpStatusCode.BadRequest, "name must be" },
        { "name with a trailing newline", """{"name":"node9\n","file":"IMAGE"}""", HttpStatusCode.BadRequest, "name must be" },
        { "name with a trailing CR LF", """{"name":"node9\r\n","file":"IMAGE"}""", HttpStatusCode.BadRequest, "name must be" },
        { "name with a NEL (U+0085)", """{"name":"node9\u0085","file":"IMAGE"}""", HttpStatusCode.BadRequest, "name must be" },
        { "name with a line separator (U+2028)", """{"name":"node9\u2028x","file":"IMAGE"}""", HttpStatusCode.BadRequest, "name must be" },
        { "name with a paragraph separator (U+2029)", """{"name":"node9\u2029","file":"IMAGE"}""", HttpStatusCode.BadRequest, "name must be" },
        { "name with a NUL", """{"name":"node9\u0000","file":"IMAGE"}""", HttpStatusCode.BadRequest, "name must be" },
        { "name starting with a dash", """{"name":"-x","file":"IMAGE"}""", HttpStatusCode.BadRequest, "name must be" },
        { "reserved name", """{"name":"generic","file":"IMAGE"}""", HttpStatusCode.BadRequest, "not 'generic'" },
        { "name of 65 characters", $$"""{"name":"{{new string('a', 65)}}","file":"IMAGE"}""", HttpStatusCode.BadRequest, "name must be" },
        { "name of the wrong type", """{"name":7,"file":"IMAGE"}""", HttpStatusCode.BadRequest, "name has the wrong JSON type" },
        { "missing file", """{"name":"node9"}""", HttpStatusCode.BadRequest, "file or src_url is required" },
        { "file and src_url", """{"name":"node9","file":"IMAGE","src_url":"http://images.lab/a.img"}""", HttpStatusCode.BadRequest, "not both" },
        { "src_url with no source allowed", """{"name":"node9","src_url":"http://images.lab/a.img"}""", HttpStatusCode.BadRequest, "NBDMUX_WARM_SOURCES (--warm-source PREFIX)" },
        { "src_url to a file", """{"name":"node9","src_url":"file:///etc/shadow"}""", HttpStatusCode.BadRequest, "absolute http or https URL" },
        { "src_url with a newline", """{"name":"node9","src_url":"http://images.lab/a\nb.img"}""", HttpStatusCode.BadRequest, "control characters" },
        { "unknown format", """{"name":"node9","src_url":"http://images.lab/a.img","format":"tar"}""", HttpStatusCode.BadRequest, "format must be one of img, img.gz" },
        { "sha256 too short", """{"name":"node9","src_url":"http://images.lab/a.img","sha256":"abc"}""", HttpStatusCode.BadRequest, "sha256 must be 64 hex digits" },
        { "format with a file", """{"name":"node9","file":"IMAGE","format":"img"}""", HttpStatusCode.BadRequest, "format applies only with src_url" },
        { "relative file", """{"name":"node9","file":"images/a.img"}""", HttpStatusCode.BadRequest, "absolute path" },
        { "file with a newline", """{"name":"node9","file":"/tmp/a\nexportname = /etc/shadow"}""", HttpStatusCode.BadRequest, "control characters" },
        { "file that does not exist", """{"name":"node9","file":"/nonexistent/a.img"}""", HttpStatusCode.BadRequest, "does not exist" },
        { "file outside the image roots", """{"name":"node9","file":"/etc/passwd"}""", HttpStatusCode.BadRequest, "is outside the image roots (ROOT)" },
        { "a '..' escape from the image roots", """{"name":"node9","file":"ROOT/../../../etc/passwd"}""", HttpStatusCode.BadRequest, "resolves to '/etc/passwd'" },
        { "a symlink escaping the image roots", """{"name":"node9","file":"ROOT/escape.img"}""", HttpStatusCode.BadRequest, "resolves to '/etc/passwd'" },
        { "a device", """{"name":"node9","file":"/dev/null"}""", HttpStatusCode.BadRequest, "outside the image roots" },
        { "file that is a directory", """{"name":"node9","file":"ROOT/subdir"}""", HttpStatusCode.BadRequest, "is a directory" },
        { "file that is a FIFO", """{"name":"node9","file":"ROOT/fifo"}""", HttpStatusCode.BadRequest, "not a regular file" },
        { "a qcow2 image", """{"name":"node9","file":"ROOT/disk.qcow2"}""", HttpStatusCode.BadRequest, "is a qcow2 image" },
        { "a gzip-compressed image", """{"name":"node9","file":"ROOT/disk.img.gz"}""", HttpStatusCode.BadRequest, "is a gzip image" },
        { "an empty file", """{"name":"node9","file":"ROOT/empty.img"}""", HttpStatusCode.BadRequest, "is empty (0 bytes)" },
        { "copy-on-write but read-only", """{"name":"node9","file":"IMAGE","copy_on_write":true,"readonly":true}""", HttpStatusCode.BadRequest, "readonly cannot be true for a copy_on_write export" },
        { "an empty allow list", """{"name":"node9","file":"IMAGE","allow":[]}""", HttpStatusCode.BadRequest, "allow must list at least one" },
        { "an allow entry that is not an address", """{"name":"node9","file":"IMAGE","allow":["10.0.0.0/8","lab-switch"]}""", HttpStatusCode.BadRequest, "allow entry 'lab-switch'" },
        { "an allow entry injecting a line", """{"name":"node9","file":"IMAGE","allow":["10.0.0.1\n0.0.0.0/0"]}""", HttpStatusCode.BadRequest, "control or line-separator characters" },
        { "an allow entry injecting a line after a scope id", """{"name":"node9","file":"IMAGE","allow":["fe80::1%\n0.0.0.0/0"]}""", HttpStatusCode.BadRequest, "control or line-separator characters" },
        { "an allow entry injecting a line with U+2028", """{"name":"node9","file":"IMAGE","allow":["10.0.0.1\u20280.0.0.0/0"]}""", HttpStatusCode.BadRequest, "control or line-separator characters" },
        { "an allow entry injecting a line with U+0085", """{"name":"node9","file":"IMAGE","allow":["10.0.0.1\u00850.0.0.0/0"]}""", HttpStatusCode.BadRequest, "control or line-separator characters" },
        { "an allow entry with a scope id", """{"name":"node9","file":"IMAGE","allow":["fe80::1%eth0"]}""", HttpStatusCode.BadRequest, "has a scope id" },
        { "an allow entry with whitespace", """{"name":"node9","file":"IMAGE","allow":["10.0.0.1 0.0.0.0/0"]}""", HttpStatusCode.BadRequest, "contains whitespace" },
        { "an allow entry longer than any address", $$"""{"name":"node9","file":"IMAGE","allow":["{{new string('0', 250)}}::/0"]}""", HttpStatusCode.BadRequest, "is longer than 49 characters" },
        { "an allow entry with host bits set", """{"name":"node9","file":"IMAGE","allow":["10.1.2.3/16"]}""", HttpStatusCode.BadRequest, "allow entry '10.1.2.3/16' has host bits set; did you mean 10.1.0.0/16?" },
        { "an allow entry in a short IPv4 form", """{"name":"node9","file":"IMAGE","allow":["10.1"]}""", HttpStatusCode.BadRequest, "allow entry '10.1' is not an IP address" },
        { "an allow entry that is null", """{"name":"node9","file":"IMAGE","allow":[null]}""", HttpStatusCode.BadRequest, "allow entries must not be empty" },
        { "an allow list of 257 entries", $$"""{"name":"node9","file":"IMAGE","allow":[{{string.Join(",", Enumerable.Range(0, 257).Select(i => $"\"10.0.{i / 256}.{i % 256}\""))}}]}""", HttpStatusCode.BadRequest, "allow lists 257 entries, more than 256" },
        { "readonly of the wrong type", """{"name":"node9","file":"IMAGE","readonly":"yes"}""", HttpStatusCode.BadRequest, "readonly has the wrong JSON type" },
        { "malformed JSON", """{"name":"node9",""", HttpStatusCode.BadRequest, "The body is not a JSON object" },
        { "a JSON array", """[{"name":"node9","file":"IMAGE"}]""", HttpStatusCode.BadRequest, "The body is not a JSON object" },
        { "JSON null", "null", HttpStatusCode.BadRequest, "The body is not a JSON object" },
        { "empty body", "", HttpStatusCode.BadRequest, "The body is not a JSON object" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_json_bodies_are_refused_and_change_nothing(string rule, string body, HttpStatusCode status, string messagePart)
    {
        PrepareTrickyFiles();
        var json = body.Replace("IMAGE", _image).Replace("ROOT", _factory.ImagesDir);

        await AssertRefusedAsync(new StringContent(json, Encoding.UTF8, "application/json"), status, messagePart.Replace("ROOT", _factory.ImagesDir), rule);
    }

    [Fact]
    public Task A_non_json_body_is_unsupported_media_type() =>
        AssertRefusedAsync(new StringContent("name=node9", Encoding.UTF8, "application/x-www-form-urlencoded"),
            HttpStatusCode.UnsupportedMediaType, "'Content-Type: application/json'", "form body");

    private async Task AssertRefusedAsync(HttpContent content, HttpStatusCode status, string messagePart, string rule)
    {
        (await _http.PostAsJsonAsync("/exports", new { name = "existing", file = _image })).EnsureSuccessStatusCode();
        var before = await _http.GetStringAsync("/exports");

        var response = await _http.PostAsync("/exports", content);

        Assert.True(status == response.StatusCode, $"{rule}: expected {status}, got {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        await ExportsApiTests.AssertProblemAsync(response, status, messagePart);
        Assert.DoesNotContain("command", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("System.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await _http.GetStringAsync("/exports"));
        _factory.NbdServer.Verify(n => n.PublishAsync(It.Is<ServedExport>(e => e.Name != "existing"), It.IsAny<CancellationToken>()), Times.Never);
    }

    private void PrepareTrickyFiles()
    {
        var root = _factory.ImagesDir;
        Directory.CreateDirectory(Path.Combine(root, "subdir"));
        File.CreateSymbolicLink(Path.Combine(root, "escape.img"), "/etc/passwd");
        Process.Start("mkfifo", Path.Combine(root, "fifo")).WaitForExit();
        File.WriteAllBytes(Path.Combine(root, "disk.qcow2"), [0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3, .. new byte[4096]]);
        File.WriteAllBytes(Path.Combine(root, "disk.img.gz"), [0x1f, 0x8b, 0x08, 0, .. new byte[100]]);
        File.WriteAllBytes(Path.Combine(root, "empty.img"), []);
    }
}
