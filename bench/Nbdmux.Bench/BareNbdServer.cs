using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Nbdmux.Infrastructure.Linux;
using Nbdmux.Infrastructure.NbdServer;
using Nbdmux.Nbd;

namespace Nbdmux.Bench;

/// <summary>
/// nbd-server on its own, configured by hand (no nbdmux, no authfiles, no symlinks): the
/// baseline for the data plane, and a way to time how long nbd-server itself takes to start.
/// </summary>
public sealed class BareNbdServer : IAsyncDisposable
{
    public const string ExportName = "bench";

    private readonly string _directory;
    private readonly string? _preload;
    private int? _pid;

    /// <param name="extraSections">More sections serving the same file, to see what a large config costs at start.</param>
    /// <param name="preload">A library to LD_PRELOAD, as nbdmux does (<see cref="NbdServerPreload"/>).</param>
    public BareNbdServer(string directory, string image, int extraSections = 0, string? preload = null)
    {
        _preload = preload;
        _directory = Directory.CreateDirectory(directory).FullName;
        Port = LoopbackPorts.Free();
        var config = new StringBuilder($"[generic]\nport = {Port}\nlistenaddr = 127.0.0.1\n");
        foreach (var section in new[] { ExportName }.Concat(Enumerable.Range(0, extraSections).Select(i => $"extra-{i:D5}")))
        {
            config.Append(CultureInfo.InvariantCulture, $"[{section}]\nexportname = {image}\nreadonly = true\n");
        }

        File.WriteAllText(ConfigPath, config.ToString());
    }

    public int Port { get; }
    public string Uri => $"nbd://127.0.0.1:{Port}/{ExportName}";
    private string ConfigPath => Path.Combine(_directory, "config");
    private string PidPath => Path.Combine(_directory, "nbd-server.pid");

    /// <summary>Starts nbd-server and returns how long it took until a client could negotiate the export.</summary>
    public async Task<TimeSpan> StartAsync()
    {
        var elapsed = Stopwatch.StartNew();
        var start = new ProcessStartInfo("nbd-server", ["-C", ConfigPath, "-p", PidPath]);
        if (_preload is not null)
        {
            start.Environment["LD_PRELOAD"] = _preload;
        }

        using (var launcher = Process.Start(start)!)
        {
            await launcher.WaitForExitAsync();
            if (launcher.ExitCode != 0)
            {
                throw new InvalidOperationException($"nbd-server -C {ConfigPath} exited with {launcher.ExitCode}");
            }
        }

        while (elapsed.Elapsed < TimeSpan.FromSeconds(30))
        {
            _pid ??= File.Exists(PidPath) && int.TryParse(File.ReadAllText(PidPath).Trim(), out var pid) ? pid : null;
            try
            {
                await using var connection = await NbdClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port), ExportName, CancellationToken.None);
                return elapsed.Elapsed;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                await Task.Delay(1);
            }
        }

        throw new TimeoutException($"nbd-server on port {Port} did not negotiate within 30 s");
    }

    /// <summary>SIGKILL ends the listener; each client's own process ends when its client disconnects.</summary>
    public async ValueTask DisposeAsync()
    {
        _pid ??= File.Exists(PidPath) && int.TryParse(File.ReadAllText(PidPath).Trim(), out var pid) ? pid : null;
        if (_pid is { } listener)
        {
            UnixProcesses.Signal(listener, UnixProcesses.SigKill);
            while (UnixProcesses.StartTicksOfLiving(listener) is not null)
            {
                await Task.Delay(1);
            }
        }
    }
}
