namespace Nbdmux.IntegrationTests;

/// <summary>
/// The test guests of tests/vm (Debian cloud kernel + busybox initramfs, booted by QEMU from an
/// NBD URI; and the ramboot initramfs, whose kernel attaches its root over virtio-net), built
/// once per test run into a cache that later runs reuse.
/// </summary>
public sealed class GuestVm
{
    public const string MarkerLine = "NBDMUX-MARKER:";
    public const string OverlayWriteOk = "NBDMUX-OVERLAY-WRITE:ok";
    public const string FailLine = "NBDMUX-FAIL:";
    public const string DiskWriteOk = "NBDMUX-RW-WRITE:ok";

    /// <summary>Kernel argument that makes the guest mount its disk read-write directly and write to it.</summary>
    public const string ReadWriteRoot = "nbdmux.rw=1";

    /// <summary>Far longer than a boot under TCG on a loaded machine takes: it only stops a hung guest from eating the test run.</summary>
    public static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(40);

    /// <summary>More room than <see cref="BootTimeout"/>: a ramboot also runs DHCP and initramfs-tools and switches to its root.</summary>
    public static readonly TimeSpan RambootTimeout = TimeSpan.FromSeconds(90);

    private const string HostPackages = "qemu-system-x86 busybox-static e2fsprogs cpio nbd-client";
    private static readonly Lazy<Task<GuestVm>> Built = new(BuildAsync);

    private GuestVm(string scriptsDir, string cacheDir)
    {
        ScriptsDir = scriptsDir;
        CacheDir = cacheDir;
        Kernel = Path.Combine(cacheDir, "vmlinuz");
        Initrd = Path.Combine(cacheDir, "initrd.gz");
        RambootInitrd = Path.Combine(cacheDir, "ramboot-initrd.gz");
    }

    public string ScriptsDir { get; }
    public string CacheDir { get; }
    public string Kernel { get; }
    public string Initrd { get; }
    public string RambootInitrd { get; }

    /// <summary>The guest, built on first use; a failed build fails every caller with the same message.</summary>
    public static Task<GuestVm> GetAsync() => Built.Value;

    /// <summary>A 64 MiB ext4 image whose /marker.txt the guest prints once it has read it over NBD.</summary>
    public async Task MakeRootImageAsync(string path, string marker)
    {
        using var run = await ScriptProcess.RunAsync(Path.Combine(ScriptsDir, "make-root-image.sh"), [path, marker], TimeSpan.FromSeconds(60));
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"make-root-image.sh failed with {run.ExitCode}:\n{run.Stderr}");
        }
    }

    /// <summary>Starts QEMU with its disk on QEMU's own NBD client; the guest console is the run's stdout.</summary>
    public ScriptProcess StartBoot(string nbdUri, params string[] kernelArguments) =>
        ScriptProcess.Start(
            Path.Combine(ScriptsDir, "boot.sh"),
            [Kernel, Initrd, nbdUri, .. kernelArguments],
            new Dictionary<string, string> { ["BOOT_TIMEOUT"] = $"{BootTimeout.TotalSeconds}" });

    /// <summary>Starts QEMU with a virtio NIC and no disk: the ramboot initramfs attaches its root as the kernel arguments say.</summary>
    public ScriptProcess StartRamboot(params string[] kernelArguments) =>
        ScriptProcess.Start(
            Path.Combine(ScriptsDir, "boot-ramboot.sh"),
            [Kernel, RambootInitrd, .. kernelArguments],
            new Dictionary<string, string> { ["BOOT_TIMEOUT"] = $"{RambootTimeout.TotalSeconds}" });

    private static async Task<GuestVm> BuildAsync()
    {
        var scriptsDir = Path.Combine(Repository.Root, "tests", "vm");
        var cacheDir = Environment.GetEnvironmentVariable("NBDMUX_VM_CACHE") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "nbdmux-vm");

        using var build = await ScriptProcess.RunAsync(Path.Combine(scriptsDir, "build-guest.sh"), [cacheDir], TimeSpan.FromMinutes(5));
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"Building the test guest (tests/vm/build-guest.sh {cacheDir}) failed with {build.ExitCode}. " +
                $"It needs the host packages {HostPackages} (it installs them itself only when run as root; " +
                $"otherwise: sudo apt-get install {HostPackages}) and apt access to a Debian mirror for linux-image-cloud-amd64. " +
                $"Its output:\n{build.Stderr}");
        }

        Prerequisites.Require("qemu-system-x86_64", "qemu-system-x86");
        Prerequisites.Require("mkfs.ext4", "e2fsprogs");
        return new GuestVm(scriptsDir, cacheDir);
    }
}
