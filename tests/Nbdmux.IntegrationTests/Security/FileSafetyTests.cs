using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Nbdmux.Nbd;

namespace Nbdmux.IntegrationTests.Security;

/// <summary>
/// Nothing outside the image roots is ever served or written, whatever is done to the file or to
/// a directory on its path after registration, across restarts, racing a POST; nbdmux's own files
/// are never exportable. The real daemon on real files, read back with a real NBD client; one
/// case per class of attack, each on every backend in <see cref="Backends"/>.
/// </summary>
public sealed class FileSafetyTests
{
    /// <summary>Sector fill of the registered image and of the file outside every root that an attack points at.</summary>
    private const byte InRoot = 0x10;
    private const byte Outside = 0xA0;

    /// <summary>How long a changed file may still be served to new clients (nbdmux looks once a second).</summary>
    private static readonly TimeSpan WithheldWithin = TimeSpan.FromSeconds(2);

    public static readonly string[] BackendNames = [IntegrationTests.Backends.Nbdkit, IntegrationTests.Backends.NbdServer];

    public static TheoryData<string> Backends() => new(BackendNames);

    public static TheoryData<string, string, bool, string> AttacksAfterRegistration()
    {
        // nbdmux's once-a-second look and nbdkit's plugin (at a client's open) say it in their own words.
        (string Attack, string Reason, bool ReadOnly)[] attacks =
        [
            ("the file replaced by a symlink to a file outside the roots", "a symlink is now on the path|has a symlink on the way", false),
            ("the file replaced by another file", "is no longer the registered file", true),
            ("the file renamed away", "is gone|is missing", true),
            ("a directory on its path swapped for a symlink to a directory outside", "a symlink is now on the path|has a symlink on the way", false),
        ];
        var cases = new TheoryData<string, string, bool, string>();
        foreach (var backend in BackendNames)
        {
            foreach (var (attack, reason, readOnly) in attacks)
            {
                cases.Add(attack, reason, readOnly, backend);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(AttacksAfterRegistration))]
    public async Task A_file_changed_after_registration_is_withheld_from_new_clients_and_connected_ones_keep_theirs(
        string attack, string reason, bool readOnly, string backend)
    {
        await using var daemon = await NbdmuxDaemon.StartAsync(backend);
        var (image, secret) = Files(daemon);
        var secretBefore = Checksum(secret.Path);
        await daemon.RegisterAsync("lab", image.Path, readOnly);
        await using var booted = await daemon.ConnectAsync("lab");

        Attack(attack, image.Path, secret.Path);

        await AssertWithheldWithinAsync(daemon, "lab", reason);
        Assert.Contains("Export lab is no longer served to new clients", daemon.Output);
        Assert.True(TestImage.IsSectorOf(InRoot, 3, await booted.ReadAsync(3 * TestImage.SectorSize, TestImage.SectorSize, default)));
        if (!readOnly)
        {
            await booted.WriteAsync(0, new byte[TestImage.SectorSize], default);
            await booted.FlushAsync(default);
        }

        Assert.Equal(secretBefore, Checksum(secret.Path));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_directory_on_the_path_swapped_for_a_symlink_while_re_posting_never_serves_a_file_outside(string backend)
    {
        await using var daemon = await NbdmuxDaemon.StartAsync(backend);
        var (image, secret) = Files(daemon);
        var secretBefore = Checksum(secret.Path);
        var directory = Path.GetDirectoryName(image.Path)!;
        using var stop = new CancellationTokenSource();
        var swapping = Task.Run(() => SwapForSymlinkUntil(directory, Path.GetDirectoryName(secret.Path)!, stop.Token));
        var registered = 0;

        for (var attempt = 0; attempt < 50; attempt++)
        {
            var response = await daemon.Http.PostAsJsonAsync("/exports", new { name = "race", file = image.Path, @readonly = false });
            Assert.True((int)response.StatusCode < 500, $"attempt {attempt}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            registered += response.IsSuccessStatusCode ? 1 : 0;
            await AssertNeverServesOutsideAsync(daemon, "race");
        }

        await stop.CancelAsync();
        await swapping;
        Assert.True(registered > 0, "no POST won the race, so the link was never made while the path moved");
        Assert.Equal(secretBefore, Checksum(secret.Path));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task An_in_root_symlink_put_in_place_of_the_file_while_nbdmux_was_down_is_never_linked_and_its_re_pointing_serves_nothing(string backend)
    {
        await using var daemon = await NbdmuxDaemon.StartAsync(backend);
        var (image, secret) = Files(daemon);
        await daemon.RegisterAsync("kept", image.Path);
        await daemon.KillAsync();
        var moved = Path.Combine(daemon.ImagesDir, "moved.img");
        File.Move(image.Path, moved);
        File.CreateSymbolicLink(image.Path, moved);

        await daemon.LaunchAsync();
        File.Delete(image.Path);
        File.CreateSymbolicLink(image.Path, secret.Path);

        var record = await daemon.Http.GetFromJsonAsync<JsonObject>("/exports/kept");
        Assert.Equal("withheld", (string?)record!["status"]);
        Assert.Contains("a symlink is now on the path", (string?)record["problem"]);
        Assert.Contains("Export kept is registered but NOT served", daemon.Output);
        await Assert.ThrowsAsync<NbdNegotiationException>(() => daemon.ConnectAsync("kept"));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task An_unchanged_file_is_served_again_after_a_restart(string backend)
    {
        await using var daemon = await NbdmuxDaemon.StartAsync(backend);
        var (image, _) = Files(daemon);
        await daemon.RegisterAsync("kept", image.Path);
        await daemon.KillAsync();

        await daemon.LaunchAsync();

        await using var client = await daemon.ConnectAsync("kept");
        Assert.True(TestImage.IsSectorOf(InRoot, 1, await client.ReadAsync(TestImage.SectorSize, TestImage.SectorSize, default)));
    }

    public static TheoryData<string, string> Overlaps()
    {
        var cases = new TheoryData<string, string>();
        foreach (var backend in BackendNames)
        {
            cases.Add("the data dir inside an image root", backend);
            cases.Add("an image root inside the data dir", backend);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Overlaps))]
    public async Task Overlapping_data_dir_and_image_roots_are_refused_at_start_in_one_line(string overlap, string backend)
    {
        await using var daemon = new NbdmuxDaemon(backend: backend);
        var imagesDir = overlap == "the data dir inside an image root"
            ? Path.GetDirectoryName(daemon.DataDir)!
            : Directory.CreateDirectory(Path.Combine(daemon.DataDir, "images")).FullName;

        var (exitCode, output) = await daemon.RunExpectingFailureAsync("--images-dir", imagesDir);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("nbdmux: ", line);
        Assert.Contains($"'{daemon.DataDir}'", line);
        Assert.Contains($"'{imagesDir}'", line);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task An_empty_image_is_refused(string backend)
    {
        await using var daemon = await NbdmuxDaemon.StartAsync(backend);
        var empty = Path.Combine(daemon.ImagesDir, "empty.img");
        File.WriteAllBytes(empty, []);

        var response = await daemon.Http.PostAsJsonAsync("/exports", new { name = "empty", file = empty });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is empty (0 bytes)", await response.Content.ReadAsStringAsync());
        Assert.True((await Assert.ThrowsAsync<NbdNegotiationException>(() => daemon.ConnectAsync("empty"))).IsUnknownExport);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Re_posting_an_unchanged_export_leaves_no_staging_name_pinning_the_image(string backend)
    {
        await using var daemon = await NbdmuxDaemon.StartAsync(backend);
        var (image, _) = Files(daemon);

        for (var i = 0; i < 3; i++)
        {
            await daemon.RegisterAsync("again", image.Path);
        }

        var state = Path.Combine(daemon.DataDir, backend);
        Assert.Empty(Directory.EnumerateFiles(state, ".*", SearchOption.AllDirectories));
        // nbd-server is handed a hard link to the image, nbdkit's plugin opens it beneath its root: nothing else pins it.
        Assert.Equal(backend == IntegrationTests.Backends.NbdServer ? "2" : "1", Stat("%h", image.Path));
        await using var client = await daemon.ConnectAsync("again");
        Assert.True(TestImage.IsSectorOf(InRoot, 0, await client.ReadAsync(0, TestImage.SectorSize, default)));
    }

    /// <summary>nbd-server is handed a hard link in the data dir; across filesystems there is none, and a symlink could be re-pointed.</summary>
    [Theory]
    [InlineData("nbd-server")]
    public async Task With_the_data_dir_on_another_filesystem_nbd_server_refuses_to_register_saying_why_and_serves_nothing(string backend)
    {
        using var tmpfs = Tmpfs.Mount();
        await using var daemon = new NbdmuxDaemon(dataDir: tmpfs.Path, backend: backend);
        await daemon.LaunchAsync();
        Assert.NotEqual(Stat("%d", daemon.DataDir), Stat("%d", daemon.ImagesDir));
        var (image, _) = Files(daemon);

        var response = await daemon.Http.PostAsJsonAsync("/exports", new { name = "elsewhere", file = image.Path });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Contains("the data dir is on another filesystem than the image", problem);
        Assert.Contains("put the data dir on the image root's filesystem, or use the nbdkit backend (--nbd-backend nbdkit)", problem);
        Assert.Equal(HttpStatusCode.NotFound, (await daemon.Http.GetAsync("/exports/elsewhere")).StatusCode);
        Assert.True((await Assert.ThrowsAsync<NbdNegotiationException>(() => daemon.ConnectAsync("elsewhere"))).IsUnknownExport);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(daemon.DataDir, "nbd-server", "exports")));
    }

    /// <summary>nbdkit's plugin opens the registered file beneath its root itself: the data dir may be anywhere.</summary>
    [Fact]
    public async Task With_the_data_dir_on_another_filesystem_nbdkit_serves_the_registered_file_and_nothing_else()
    {
        using var tmpfs = Tmpfs.Mount();
        await using var daemon = new NbdmuxDaemon(dataDir: tmpfs.Path, backend: IntegrationTests.Backends.Nbdkit);
        await daemon.LaunchAsync();
        var (image, secret) = Files(daemon);
        await daemon.RegisterAsync("elsewhere", image.Path);
        await using var booted = await daemon.ConnectAsync("elsewhere");

        Attack("the file replaced by a symlink to a file outside the roots", image.Path, secret.Path);

        await Eventually.TrueAsync(async () => await RefusedAsync(daemon, "elsewhere"), WithheldWithin, "the swapped export refused");
        Assert.True(TestImage.IsSectorOf(InRoot, 1, await booted.ReadAsync(TestImage.SectorSize, TestImage.SectorSize, default)));
    }

    /// <summary>
    /// A change the registry cannot record (its disk full) is put back on the wire, answered 507
    /// and audited once space is back; the export stays as it was for every client.
    /// </summary>
    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_change_refused_for_a_full_disk_changes_nothing_and_is_audited(string backend)
    {
        using var tmpfs = Tmpfs.Mount("24m");
        var images = Directory.CreateDirectory(Path.Combine(tmpfs.Path, "images")).FullName;
        await using var daemon = new NbdmuxDaemon(dataDir: Directory.CreateDirectory(Path.Combine(tmpfs.Path, "data")).FullName, backend: backend);
        await daemon.LaunchAsync("--images-dir", images);
        var image = TestImage.Create(images, "kept.img", seed: 0x31);
        await daemon.RegisterAsync("kept", image.Path);
        var filler = Path.Combine(tmpfs.Path, "filler");
        FillDisk(filler);

        var removal = await daemon.Http.DeleteAsync("/exports/kept");
        var addition = await daemon.Http.PostAsJsonAsync("/exports", new { name = "added", file = image.Path });

        Assert.Equal((HttpStatusCode)507, removal.StatusCode);
        Assert.Contains("data dir", await removal.Content.ReadAsStringAsync());
        Assert.Contains("is full", await removal.Content.ReadAsStringAsync());
        Assert.True(addition.StatusCode is (HttpStatusCode)507, $"adding answered {(int)addition.StatusCode}");
        Assert.Equal(HttpStatusCode.OK, (await daemon.Http.GetAsync("/exports/kept")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await daemon.Http.GetAsync("/exports/added")).StatusCode);
        await using (var client = await daemon.ConnectAsync("kept"))
        {
            Assert.True(TestImage.IsSectorOf(0x31, 2, await client.ReadAsync(2 * TestImage.SectorSize, TestImage.SectorSize, default)));
        }

        Assert.True(await RefusedAsync(daemon, "added"));

        File.Delete(filler);
        await daemon.RemoveAsync("kept");
        var events = await daemon.Http.GetStringAsync("/events?outcome=refused");
        Assert.Contains("\"status\":507", events);
        Assert.Contains("\"export\":\"added\"", events);
    }

    private static void FillDisk(string path)
    {
        using var filler = File.Create(path);
        var block = new byte[1 << 16];
        try
        {
            while (true)
            {
                filler.Write(block);
            }
        }
        catch (IOException)
        {
            // full
        }
    }

    private static async Task<bool> RefusedAsync(NbdmuxDaemon daemon, string export)
    {
        try
        {
            await using var client = await daemon.ConnectAsync(export);
            return false;
        }
        catch (NbdNegotiationException)
        {
            return true;
        }
    }

    /// <summary>The registered image at ROOT/lab/disk.img and, outside every root, a file an attack points at.</summary>
    private static (TestImage Image, TestImage Secret) Files(NbdmuxDaemon daemon) =>
        (TestImage.Create(Directory.CreateDirectory(Path.Combine(daemon.ImagesDir, "lab")).FullName, "disk.img", InRoot),
         TestImage.Create(daemon.CreateDirectoryBeside("outside"), "disk.img", Outside));

    private static void Attack(string attack, string image, string secret)
    {
        var directory = Path.GetDirectoryName(image)!;
        switch (attack)
        {
            case "the file replaced by a symlink to a file outside the roots":
                File.Delete(image);
                File.CreateSymbolicLink(image, secret);
                break;
            case "the file replaced by another file":
                var replacement = TestImage.Create(directory, "replacement.img", Outside);
                File.Move(replacement.Path, image, overwrite: true);
                break;
            case "the file renamed away":
                File.Move(image, image + ".old");
                break;
            case "a directory on its path swapped for a symlink to a directory outside":
                Directory.Move(directory, directory + ".old");
                Directory.CreateSymbolicLink(directory, Path.GetDirectoryName(secret)!);
                break;
            default:
                throw new ArgumentException($"no such attack: {attack}", nameof(attack));
        }
    }

    /// <summary>Until it is withheld new clients read the registered bytes, never others; within the bound they are refused.</summary>
    private static async Task AssertWithheldWithinAsync(NbdmuxDaemon daemon, string name, string reason)
    {
        var elapsed = Stopwatch.StartNew();
        while (await AssertNeverServesOutsideAsync(daemon, name))
        {
            Assert.True(elapsed.Elapsed < WithheldWithin, $"export {name} still served {elapsed.ElapsedMilliseconds} ms after its file changed");
            await Task.Delay(50);
        }

        JsonObject? record = null;
        await Eventually.TrueAsync(
            async () => (string?)(record = await daemon.Http.GetFromJsonAsync<JsonObject>($"/exports/{name}"))!["status"] == "withheld",
            what: $"export {name} shown withheld");
        Assert.Matches(reason, (string?)record!["problem"]);
    }

    /// <summary>True when a new client was served (and read the registered image's bytes), false when it was refused.</summary>
    private static async Task<bool> AssertNeverServesOutsideAsync(NbdmuxDaemon daemon, string name)
    {
        try
        {
            await using var client = await daemon.ConnectAsync(name);
            var sector = await client.ReadAsync(5 * TestImage.SectorSize, TestImage.SectorSize, default);
            Assert.True(TestImage.IsSectorOf(InRoot, 5, sector), $"a new client of {name} read bytes that are not the registered image's: 0x{sector[0]:x2}");
            return true;
        }
        catch (NbdNegotiationException)
        {
            return false;
        }
    }

    /// <summary>Turns the directory into a symlink to <paramref name="outside"/> and back, at random short intervals.</summary>
    private static void SwapForSymlinkUntil(string directory, string outside, CancellationToken stop)
    {
        var aside = directory + ".real";
        while (!stop.IsCancellationRequested)
        {
            Thread.Sleep(Random.Shared.Next(0, 15));
            Directory.Move(directory, aside);
            Directory.CreateSymbolicLink(directory, outside);
            Thread.Sleep(Random.Shared.Next(0, 5));
            File.Delete(directory);
            Directory.Move(aside, directory);
        }
    }

    private static byte[] Checksum(string path) => SHA256.HashData(File.ReadAllBytes(path));

    private static string Stat(string format, string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", format, path]) { RedirectStandardOutput = true })!;
        var output = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return output;
    }
}
