using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Nbdmux.Domain.Exports;
using Nbdmux.Testing;

namespace Nbdmux.IntegrationTests.Warming;

/// <summary>One nbdmux (nbdkit backend) allowed to fetch from one local image server, shared by <see cref="WarmTests"/>.</summary>
public sealed class WarmDaemon : IAsyncLifetime
{
    public ImageServer Server { get; } = new();

    public NbdmuxDaemon Daemon { get; } = new(backend: Backends.Nbdkit);

    public Task InitializeAsync() => Daemon.LaunchAsync("--warm-source", Server.Base);

    public async Task DisposeAsync()
    {
        await Daemon.DisposeAsync();
        Server.Dispose();
    }
}

/// <summary>
/// Warms against the real daemon: every format fetched over HTTP, unpacked, landed sparse and read
/// back through a real NBD client; failures, retries, resumption, cancellation and restarts.
/// </summary>
public sealed class WarmTests(WarmImages images, WarmDaemon fixture) : IClassFixture<WarmImages>, IClassFixture<WarmDaemon>
{
    private NbdmuxDaemon Daemon => fixture.Daemon;
    private ImageServer Server => fixture.Server;

    public static TheoryData<string, bool> FormatsWithAndWithoutLength
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (var format in WarmFormat.All)
            {
                data.Add(format, true);
                data.Add(format, false);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(FormatsWithAndWithoutLength))]
    public async Task Each_format_is_fetched_unpacked_landed_sparse_and_served_byte_for_byte(string format, bool contentLength)
    {
        var name = "fmt-" + format.Replace('.', '-') + (contentLength ? "" : "-chunked");
        var url = Server.Serve($"images/{name}/disk{WarmImages.Suffix(format)}", new Served(images.Packed(format), ContentLength: contentLength));

        var (status, queued) = await WarmAsync(Daemon, new { name, src_url = url });

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(("queued", url, format), ((string?)queued["status"], (string?)queued["src_url"], (string?)queued["format"]));
        var ready = await ReadyAsync(Daemon, name);
        Assert.Equal(Path.Combine(Daemon.ImagesDir, name + ".img"), (string?)ready["file"]);
        Assert.Equal(((long)WarmImages.SizeBytes, "mbr"), ((long?)ready["size_bytes"], (string?)ready["partition_table"]));
        Assert.Equal(contentLength ? (images.Packed(format).Length, 100.0) : (null, null), ((long?)ready["bytes_total"], (double?)ready["progress"]));
        Assert.Equal(images.Packed(format).Length, (long?)ready["bytes_done"]);
        Assert.NotNull((string?)ready["completed_at"]);
        Assert.Equal(images.Raw, await NbdCopyAsync(Daemon, name));
        Assert.True(DiskUsage.AllocatedBytes((string)ready["file"]!) < WarmImages.SizeBytes / 2, "the zeros of the image were written out instead of left as holes");
    }

    [Fact]
    public async Task Without_a_suffix_or_a_length_the_format_is_told_by_the_first_bytes()
    {
        var url = Server.Serve("blobs/0123abcd", new Served(images.Packed(WarmFormat.Zstd), ContentLength: false));

        await WarmAsync(Daemon, new { name = "sniffed", src_url = url });

        var ready = await ReadyAsync(Daemon, "sniffed");
        Assert.Equal((WarmFormat.Zstd, (double?)null), ((string?)ready["format"], (double?)ready["progress"]));
        Assert.Equal(images.Raw, await NbdCopyAsync(Daemon, "sniffed"));
    }

    [Fact]
    public async Task A_wrong_sha256_fails_leaving_nothing_behind_and_posting_again_with_the_right_one_retries()
    {
        var url = Server.Serve("sha/disk.img.gz", new Served(images.Packed(WarmFormat.Gzip)));

        await WarmAsync(Daemon, new { name = "sha", src_url = url, sha256 = new string('0', 64) });
        var failed = await SettledAsync(Daemon, "sha");

        Assert.Equal("failed", (string?)failed["status"]);
        Assert.Contains($"SHA-256 is {images.Sha256}", (string?)failed["error"]);
        Assert.False(File.Exists(Path.Combine(Daemon.ImagesDir, "sha.img")));
        Assert.Empty(StagedFiles("sha"));
        await Assert.ThrowsAsync<Nbdmux.Nbd.NbdNegotiationException>(() => Daemon.ConnectAsync("sha"));

        var (status, _) = await WarmAsync(Daemon, new { name = "sha", src_url = url, sha256 = images.Sha256.ToUpperInvariant() });

        Assert.Equal(HttpStatusCode.OK, status);
        await ReadyAsync(Daemon, "sha");
        Assert.Equal(images.Raw, await NbdCopyAsync(Daemon, "sha"));
    }

    [Fact]
    public async Task A_download_cut_short_resumes_where_it_broke_with_a_range_request()
    {
        var path = "/resume/disk.img.xz";
        var url = Server.Serve(path, new Served(images.Packed(WarmFormat.Xz), BreakAfter: 100_000, Breaks: 2));

        await WarmAsync(Daemon, new { name = "resumed", src_url = url });

        await ReadyAsync(Daemon, "resumed");
        Assert.Equal(images.Raw, await NbdCopyAsync(Daemon, "resumed"));
        Assert.Equal([null, "bytes=100000-", "bytes=200000-"], Server.Requests.Where(r => r.Path == path).Select(r => r.Range));
    }

    [Fact]
    public async Task A_download_cut_short_from_a_server_that_ignores_ranges_is_read_again_skipping_what_it_had()
    {
        var path = "/norange/disk.img.gz";
        var url = Server.Serve(path, new Served(images.Packed(WarmFormat.Gzip), HonourRange: false, BreakAfter: 300_000, Breaks: 2));

        await WarmAsync(Daemon, new { name = "norange", src_url = url });

        await ReadyAsync(Daemon, "norange");
        Assert.Equal(images.Raw, await NbdCopyAsync(Daemon, "norange"));
        Assert.Equal([null, "bytes=300000-", "bytes=300000-"], Server.Requests.Where(r => r.Path == path).Select(r => r.Range));
    }

    [Fact]
    public async Task A_download_cut_short_from_a_server_that_ignores_ranges_and_cannot_tell_the_file_is_the_same_fails_saying_so()
    {
        var url = Server.Serve("novalidator/disk.img.gz", new Served(images.Packed(WarmFormat.Gzip), HonourRange: false, Validators: false, BreakAfter: 300_000));

        await WarmAsync(Daemon, new { name = "novalidator", src_url = url });

        var failed = await SettledAsync(Daemon, "novalidator");
        Assert.Equal("failed", (string?)failed["status"]);
        Assert.Contains("broke off after 300000 bytes", (string?)failed["error"]);
        Assert.Contains("cannot be resumed", (string?)failed["error"]);
        Assert.Empty(StagedFiles("novalidator"));
    }

    [Theory]
    [InlineData(503)]
    [InlineData(500)]
    [InlineData(429)]
    public async Task A_source_that_answers_an_error_then_the_image_is_retried_with_backoff_until_it_is_served(int status)
    {
        var path = $"/transient-{status}/disk.img.zst";
        var url = Server.Serve(path, new Served(images.Packed(WarmFormat.Zstd), Status: status, Failures: 2));

        await WarmAsync(Daemon, new { name = $"transient-{status}", src_url = url });

        await ReadyAsync(Daemon, $"transient-{status}");
        Assert.Equal(images.Raw, await NbdCopyAsync(Daemon, $"transient-{status}"));
        Assert.Equal(3, Server.Requests.Count(r => r.Path == path));
    }

    [Fact]
    public async Task Names_that_ask_for_the_same_source_at_once_share_one_download_into_files_of_their_own()
    {
        var path = "/shared/disk.img.xz";
        var url = Server.Serve(path, new Served(images.Packed(WarmFormat.Xz), ChunkDelay: TimeSpan.FromMilliseconds(100)));
        string[] names = ["shared-a", "shared-b", "shared-c", "shared-d"];

        await Task.WhenAll(names.Select(name => WarmAsync(Daemon, name == "shared-c" ? new { name, src_url = url, sha256 = images.Sha256 } : new { name, src_url = url })));

        foreach (var name in names)
        {
            var ready = await ReadyAsync(Daemon, name);
            Assert.Equal((WarmFormat.Xz, (long?)images.Packed(WarmFormat.Xz).Length), ((string?)ready["format"], (long?)ready["bytes_done"]));
            Assert.Equal(images.Raw, await NbdCopyAsync(Daemon, name));
            Assert.True(DiskUsage.AllocatedBytes((string)ready["file"]!) < WarmImages.SizeBytes / 2, $"the copy for {name} lost its holes");
        }

        Assert.Single(Server.Requests, r => r.Path == path);
        foreach (var name in names)
        {
            Assert.Equal("1", await LinkCountAsync(Path.Combine(Daemon.ImagesDir, name + ".img")));
        }

        Assert.Empty(Directory.EnumerateFiles(Daemon.ImagesDir, ".*.warming"));
    }

    [Fact]
    public async Task When_the_warm_whose_download_others_share_is_cancelled_they_fetch_it_themselves()
    {
        var path = "/shared-cancel/disk.img.gz";
        await StartSharingAsync(path, WarmFormat.Gzip, "leader", "follower");

        await Daemon.RemoveAsync("leader");

        await ReadyAsync(Daemon, "follower");
        Assert.Equal(images.Raw, await NbdCopyAsync(Daemon, "follower"));
        Assert.Equal(2, Server.Requests.Count(r => r.Path == path));
    }

    [Fact]
    public async Task Removing_a_name_that_shares_a_download_leaves_the_others_to_finish()
    {
        var path = "/shared-follower/disk.img.bz2";
        await StartSharingAsync(path, WarmFormat.Bzip2, "kept", "dropped");

        await Daemon.RemoveAsync("dropped");

        await ReadyAsync(Daemon, "kept");
        Assert.Equal(images.Raw, await NbdCopyAsync(Daemon, "kept"));
        Assert.Equal(HttpStatusCode.NotFound, (await Daemon.Http.GetAsync("/exports/dropped")).StatusCode);
        Assert.Empty(StagedFiles("dropped"));
        Assert.Single(Server.Requests, r => r.Path == path);
    }

    [Fact]
    public async Task A_slow_source_shows_its_progress_while_it_is_fetched()
    {
        var packed = images.Packed(WarmFormat.Gzip);
        var url = Server.Serve("slow/progress.img.gz", new Served(packed, ChunkDelay: TimeSpan.FromMilliseconds(150)));

        await WarmAsync(Daemon, new { name = "slow", src_url = url });

        await Eventually.TrueAsync(
            async () => await RecordAsync(Daemon, "slow") is var record && (string?)record["status"] == "fetching" &&
                (long?)record["bytes_done"] is > 0 and var done && done < packed.Length && (double?)record["progress"] is > 0 and < 100,
            TimeSpan.FromSeconds(30), "no progress part way through was shown");
        Assert.Equal(images.Raw, await NbdCopyAsync(Daemon, (string)(await ReadyAsync(Daemon, "slow"))["name"]!));
    }

    [Fact]
    public async Task A_zstd_source_corrupted_part_way_fails_saying_so_and_leaves_nothing_behind()
    {
        var packed = images.Packed(WarmFormat.Zstd).ToArray();
        for (var i = packed.Length / 2; i < packed.Length / 2 + 64; i++)
        {
            packed[i] ^= 0x5a;
        }

        await WarmAsync(Daemon, new { name = "corrupt", src_url = Server.Serve("corrupt/disk.img.zst", new Served(packed)) });

        var failed = await SettledAsync(Daemon, "corrupt");
        Assert.Equal("failed", (string?)failed["status"]);
        Assert.Contains("the source is not a valid img.zst image (libzstd: ", (string?)failed["error"]);
        Assert.False(File.Exists(Path.Combine(Daemon.ImagesDir, "corrupt.img")));
        Assert.Empty(StagedFiles("corrupt"));
    }

    [Fact]
    public async Task A_missing_image_fails_with_what_the_server_said_without_retries()
    {
        await WarmAsync(Daemon, new { name = "missing", src_url = Server.Url("nothing/here.img") });

        var missing = await SettledAsync(Daemon, "missing");
        Assert.Equal("failed", (string?)missing["status"]);
        Assert.Contains("answered 404", (string?)missing["error"]);
        Assert.Single(Server.Requests, r => r.Path == "/nothing/here.img");
    }

    [Fact]
    public async Task A_redirect_to_a_place_not_allowed_is_refused_and_one_within_is_followed()
    {
        var inside = Server.Serve("moved/disk.img", new Served(images.Raw));
        var within = Server.Serve("redirect/within.img", new Served(null, RedirectTo: inside));
        var outside = Server.Serve("redirect/outside.img", new Served(null, RedirectTo: "http://127.0.0.2:1/secret"));

        await WarmAsync(Daemon, new { name = "redir-in", src_url = within });
        await WarmAsync(Daemon, new { name = "redir-out", src_url = outside });

        await ReadyAsync(Daemon, "redir-in");
        var refused = await SettledAsync(Daemon, "redir-out");
        Assert.Equal("failed", (string?)refused["status"]);
        Assert.Contains("redirected to http://127.0.0.2:1/secret, which is not a place nbdmux may fetch from", (string?)refused["error"]);
    }

    [Fact]
    public async Task A_source_outside_the_allowed_prefixes_is_refused_with_400_naming_the_setting()
    {
        var response = await Daemon.Http.PostAsJsonAsync("/exports", new { name = "outside", src_url = "http://169.254.169.254/latest/meta-data" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("NBDMUX_WARM_SOURCES", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await Daemon.Http.GetAsync("/exports/outside")).StatusCode);
    }

    [Theory]
    [InlineData("backing", "names a backing file")]
    [InlineData("data-file", "keeps its data in an external file")]
    public async Task A_qcow2_that_names_a_file_on_the_nbdmux_host_is_refused_and_nothing_of_that_file_is_served(string reference, string reason)
    {
        Prerequisites.Require("qemu-img", "qemu-utils");
        var host = Daemon.CreateDirectoryBeside("host-" + reference);
        var secret = Path.Combine(host, "secret.img");
        await File.WriteAllBytesAsync(secret, Enumerable.Repeat((byte)0x5A, 1 << 20).ToArray());
        var qcow2 = Path.Combine(host, "refers.qcow2");
        string[] create = reference == "backing"
            ? ["create", "-q", "-f", "qcow2", "-F", "raw", "-b", secret, qcow2]
            : ["create", "-q", "-f", "qcow2", "-o", $"data_file={secret},data_file_raw=on", qcow2, "1M"];
        var (exitCode, output) = await ExternalTool.RunAsync("qemu-img", create);
        Assert.True(exitCode == 0, output);
        var name = "refers-" + reference;
        var url = Server.Serve($"host/{name}.qcow2", new Served(await File.ReadAllBytesAsync(qcow2)));

        await WarmAsync(Daemon, new { name, src_url = url });

        var failed = await SettledAsync(Daemon, name);
        Assert.Equal("failed", (string?)failed["status"]);
        Assert.Contains(reason, (string?)failed["error"]);
        Assert.False(File.Exists(Path.Combine(Daemon.ImagesDir, name + ".img")));
        Assert.Empty(StagedFiles(name));
    }

    [Fact]
    public async Task Delete_cancels_a_running_warm_and_removes_its_partial_files()
    {
        var url = Server.Serve("slow/cancel.img", new Served(images.Raw, ChunkDelay: TimeSpan.FromMilliseconds(100)));
        await WarmAsync(Daemon, new { name = "cancelled", src_url = url });
        await Eventually.TrueAsync(() => StagedFiles("cancelled").Any(), TimeSpan.FromSeconds(10), "the warm did not start writing");

        await Daemon.RemoveAsync("cancelled");

        await Eventually.TrueAsync(() => !StagedFiles("cancelled").Any(), TimeSpan.FromSeconds(5), "the partial file was left behind");
        Assert.Equal(HttpStatusCode.NotFound, (await Daemon.Http.GetAsync("/exports/cancelled")).StatusCode);
        Assert.False(File.Exists(Path.Combine(Daemon.ImagesDir, "cancelled.img")));
    }

    [Fact]
    public async Task Asking_again_for_a_warm_under_way_or_done_changes_nothing()
    {
        var url = Server.Serve("again/disk.img.bz2", new Served(images.Packed(WarmFormat.Bzip2)));
        await WarmAsync(Daemon, new { name = "again", src_url = url });
        var ready = await ReadyAsync(Daemon, "again");

        var (status, answer) = await WarmAsync(Daemon, new { name = "again", src_url = url });

        Assert.Equal((HttpStatusCode.OK, "ready", (string?)ready["completed_at"]), (status, (string?)answer["status"], (string?)answer["completed_at"]));
        Assert.Single(Server.Requests, r => r.Path == "/again/disk.img.bz2");
    }

    [Fact]
    public async Task A_warm_running_when_nbdmux_is_killed_starts_over_when_it_starts_again()
    {
        await using var daemon = new NbdmuxDaemon(backend: Backends.Nbdkit);
        await daemon.LaunchAsync("--warm-source", Server.Base);
        var url = Server.Serve("slow/restart.img.gz", new Served(images.Packed(WarmFormat.Gzip), ChunkDelay: TimeSpan.FromMilliseconds(200)));
        await WarmAsync(daemon, new { name = "restarted", src_url = url });
        await Eventually.TrueAsync(async () => (string?)(await RecordAsync(daemon, "restarted"))["status"] == "fetching", TimeSpan.FromSeconds(10), "the warm did not start");

        await daemon.KillAsync();
        Server.Serve("slow/restart.img.gz", new Served(images.Packed(WarmFormat.Gzip)));
        await daemon.LaunchAsync("--warm-source", Server.Base);

        await ReadyAsync(daemon, "restarted");
        Assert.Equal(images.Raw, await NbdCopyAsync(daemon, "restarted"));
        Assert.Empty(Directory.EnumerateFiles(daemon.ImagesDir, ".*.warming"));
    }

    [Fact]
    public async Task Through_a_withcache_the_source_is_asked_for_as_b_and_its_base64url()
    {
        await using var daemon = new NbdmuxDaemon(backend: Backends.Nbdkit);
        var source = "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-nocloud-amd64.raw?x=1";
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(source)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Server.Serve($"cache/b/{encoded}", new Served(images.Raw));
        await daemon.LaunchAsync("--withcache-url", Server.Url("cache"));

        await WarmAsync(daemon, new { name = "cached", src_url = source });

        await ReadyAsync(daemon, "cached");
        Assert.Contains(Server.Requests, r => r.Path == $"/cache/b/{encoded}");
        Assert.Equal(images.Raw, await NbdCopyAsync(daemon, "cached"));
    }

    [Fact]
    public async Task A_full_image_root_fails_the_warm_saying_so_and_leaves_nothing_behind()
    {
        using var tmpfs = Security.Tmpfs.Mount("4m");
        await using var daemon = new NbdmuxDaemon(backend: Backends.Nbdkit);
        await daemon.LaunchAsync("--warm-source", Server.Base, "--images-dir", tmpfs.Path);
        var full = new byte[8 << 20];
        new Random(5).NextBytes(full);
        var url = Server.Serve("big/disk.img", new Served(full));

        await WarmAsync(daemon, new { name = "toobig", src_url = url });

        var failed = await SettledAsync(daemon, "toobig");
        Assert.Equal("failed", (string?)failed["status"]);
        Assert.Contains("is full; nothing was kept", (string?)failed["error"]);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmpfs.Path));
        await Assert.ThrowsAsync<Nbdmux.Nbd.NbdNegotiationException>(() => daemon.ConnectAsync("toobig"));
    }

    [Fact]
    public async Task A_warmed_image_is_served_by_the_nbd_server_backend_too()
    {
        await using var daemon = new NbdmuxDaemon(backend: Backends.NbdServer);
        await daemon.LaunchAsync("--warm-source", Server.Base);
        var url = Server.Serve("nbd-server/disk.img.gz", new Served(images.Packed(WarmFormat.Gzip)));

        await WarmAsync(daemon, new { name = "classic", src_url = url });

        await ReadyAsync(daemon, "classic");
        Assert.Equal(images.Raw, await NbdCopyAsync(daemon, "classic"));
    }

    [Fact]
    public async Task The_python_0_2_1_client_warms_and_lists_unchanged()
    {
        var python = Prerequisites.Require("python3", "python3");
        var reference = Path.Combine(Repository.Root, "..", "shared", "reference", "nbdmux-0.2.1");
        Assert.True(Directory.Exists(reference), $"The Python nbdmux 0.2.1 is not at {Path.GetFullPath(reference)}: copy shared/ next to the clone, as CI does.");
        var url = Server.Serve("python/disk.img.zst", new Served(images.Packed(WarmFormat.Zstd)));
        var script = $$"""
            import json, time
            from nbdmux import client
            server = "127.0.0.1:{{Daemon.HttpPort}}"
            queued = client.warm_export("py-warm", "{{url}}", server=server)
            assert queued["status"] == "queued", queued
            for _ in range(300):
                record = next(e for e in client.list_exports(server=server) if e["name"] == "py-warm")
                if record["status"] in ("ready", "failed"):
                    break
                time.sleep(0.1)
            print(json.dumps({"status": record["status"], "format": record["format"], "progress": record["progress"], "file": record["file"]}))
            """;
        var start = new System.Diagnostics.ProcessStartInfo(python, ["-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["PYTHONPATH"] = Path.Combine(reference, "src") },
        };

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, errors);
        var record = JsonNode.Parse(output)!;
        Assert.Equal(("ready", "img.zst", 100.0), ((string?)record["status"], (string?)record["format"], (double?)record["progress"]));
        Assert.Equal(images.Raw, await NbdCopyAsync(Daemon, "py-warm"));
    }

    internal static async Task<(HttpStatusCode Status, JsonObject Record)> WarmAsync(NbdmuxDaemon daemon, object body)
    {
        var response = await daemon.Http.PostAsJsonAsync("/exports", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {body} -> {(int)response.StatusCode}: {text}");
        return (response.StatusCode, JsonNode.Parse(text)!.AsObject());
    }

    internal static async Task<JsonObject> RecordAsync(NbdmuxDaemon daemon, string name) =>
        (await daemon.Http.GetFromJsonAsync<JsonObject>($"/exports/{name}"))!;

    /// <summary>The record once its warm is over (ready or failed).</summary>
    private static async Task<JsonObject> SettledAsync(NbdmuxDaemon daemon, string name)
    {
        JsonObject record = [];
        await Eventually.TrueAsync(async () => (string?)(record = await RecordAsync(daemon, name))["status"] is "ready" or "failed",
            TimeSpan.FromSeconds(30), $"the warm of {name} did not end");
        return record;
    }

    private static async Task<JsonObject> ReadyAsync(NbdmuxDaemon daemon, string name)
    {
        var record = await SettledAsync(daemon, name);
        Assert.True((string?)record["status"] == "ready", $"the warm of {name} failed: {record["error"]}\n{daemon.Output}");
        return record;
    }

    internal static async Task<byte[]> NbdCopyAsync(NbdmuxDaemon daemon, string name)
    {
        Prerequisites.Require("nbdcopy", "libnbd-bin");
        var copy = Path.Combine(daemon.CreateDirectoryBeside("copies"), name + ".img");
        var (exitCode, output) = await ExternalTool.RunAsync("nbdcopy", $"nbd://127.0.0.1:{daemon.NbdPort}/{name}", copy);
        Assert.True(exitCode == 0, output);
        return await File.ReadAllBytesAsync(copy);
    }

    /// <summary>Warms <paramref name="first"/> from a slow source, then <paramref name="second"/> from the same one once the first is writing.</summary>
    private async Task StartSharingAsync(string path, string format, string first, string second)
    {
        var url = Server.Serve(path, new Served(images.Packed(format), ChunkDelay: TimeSpan.FromMilliseconds(200)));
        await WarmAsync(Daemon, new { name = first, src_url = url });
        await Eventually.TrueAsync(() => StagedFiles(first).Any(), TimeSpan.FromSeconds(10), "the first warm did not start writing");
        await WarmAsync(Daemon, new { name = second, src_url = url });
        await Eventually.TrueAsync(async () => (string?)(await RecordAsync(Daemon, second))["status"] == "fetching", TimeSpan.FromSeconds(10), "the second warm did not start");
    }

    /// <summary>How many names the file has: 1 when no other export shares its bytes.</summary>
    private static async Task<string> LinkCountAsync(string path)
    {
        var (exitCode, output) = await ExternalTool.RunAsync("stat", "-c", "%h", path);
        Assert.True(exitCode == 0, output);
        return output.Trim();
    }

    private IEnumerable<string> StagedFiles(string name) => Directory.EnumerateFiles(Daemon.ImagesDir, $".{name}.*.warming");
}
