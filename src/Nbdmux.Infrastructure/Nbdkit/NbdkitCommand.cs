using System.Diagnostics;
using System.Security.Cryptography;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Files;

namespace Nbdmux.Infrastructure.Nbdkit;

/// <summary>
/// The nbdkit command line nbdmux runs, down to the last argument: a later nbdmux on the same
/// data dir adopts a running server only when its /proc cmdline is exactly this (same build of
/// nbdkit and the plugin, same address and port).
/// </summary>
public sealed class NbdkitCommand
{
    public const string PluginFileName = "nbdkit-nbdmux-plugin.so";

    /// <summary>
    /// Requests of one client that run at once. A booting kernel keeps many reads in flight on its
    /// one connection; eight at once keep a disk busy, and a lab of clients connecting together
    /// costs nbdkit a thread per request slot of each.
    /// </summary>
    public const int ThreadsPerClient = 8;

    private readonly Lazy<(IReadOnlyList<string>? Arguments, string? Problem)> _resolved;

    public NbdkitCommand(string nbdkitProgram, string pluginPath, NbdkitLayout layout, string bind, int port, int handshakeTimeoutSeconds) =>
        _resolved = new(() => Resolve(nbdkitProgram, pluginPath, layout, bind, port, handshakeTimeoutSeconds));

    public NbdkitCommand(NbdmuxOptions options, NbdkitLayout layout, string nbdkitProgram = "nbdkit")
        : this(nbdkitProgram, Path.Combine(AppContext.BaseDirectory, PluginFileName), layout, options.Bind, options.NbdPort, options.HandshakeTimeout)
    {
    }

    /// <summary>nbdkit's argv, its program's full path first; null when <see cref="Problem"/> says why it cannot run.</summary>
    public IReadOnlyList<string>? Arguments => _resolved.Value.Arguments;

    /// <summary>What is missing for nbdkit to run, and how to install it.</summary>
    public string? Problem => _resolved.Value.Problem;

    private static (IReadOnlyList<string>?, string?) Resolve(
        string nbdkitProgram, string pluginPath, NbdkitLayout layout, string bind, int port, int handshakeTimeoutSeconds)
    {
        if (ExecutableSearch.Find(nbdkitProgram) is not { } nbdkit)
        {
            return (null, $"nbdkit '{nbdkitProgram}' is not installed: apt-get install nbdkit (or run with --nbd-backend nbd-server).");
        }

        if (!File.Exists(pluginPath))
        {
            return (null,
                $"the nbdkit plugin {pluginPath} is missing: it is built with nbdmux where a C compiler and nbdkit's " +
                "headers are installed (apt-get install gcc nbdkit-plugin-dev, then rebuild), or run with --nbd-backend nbd-server.");
        }

        if (Version(nbdkit) is not { } version)
        {
            return (null, $"{nbdkit} --version failed: reinstall nbdkit (apt-get install --reinstall nbdkit).");
        }

        string[] arguments =
        [
            nbdkit, "--foreground", "--log=stderr", "--ipaddr", bind, "--port", $"{port}",
            "--pidfile", layout.PidFilePath, "--threads", $"{ThreadsPerClient}",
            pluginPath, $"dir={layout.Root}", $"build={BuildId(pluginPath, version)}", $"handshake_timeout={handshakeTimeoutSeconds}",
        ];
        return (arguments, null);
    }

    /// <summary>A short hash of the plugin's bytes and nbdkit's version: what makes two servers the same build.</summary>
    public static string BuildId(string pluginPath, string nbdkitVersion)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(File.ReadAllBytes(pluginPath));
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes("\n" + nbdkitVersion));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static string? Version(string nbdkit)
    {
        using var process = Process.Start(new ProcessStartInfo(nbdkit, ["--version"]) { RedirectStandardOutput = true });
        var output = process?.StandardOutput.ReadToEnd().Trim();
        process?.WaitForExit();
        return process is { ExitCode: 0 } && !string.IsNullOrEmpty(output) ? output : null;
    }
}
