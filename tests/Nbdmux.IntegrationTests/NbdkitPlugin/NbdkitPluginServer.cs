using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Nbdmux.Infrastructure.Files;
using Nbdmux.Infrastructure.Linux;
using Nbdmux.Nbd;

namespace Nbdmux.IntegrationTests.NbdkitPlugin;

public enum NbdkitListener
{
    /// <summary>-i 127.0.0.1: peers are IPv4.</summary>
    Ipv4Loopback,

    /// <summary>-i ::1: peers are IPv6.</summary>
    Ipv6Loopback,

    /// <summary>
    /// A dual-stack [::] socket handed over by systemd-socket-activate: an IPv4 client appears as
    /// ::ffff:a.b.c.d. nbdkit 1.32 sets IPV6_V6ONLY on sockets it binds itself, so only socket
    /// activation gives the plugin v4-mapped peers.
    /// </summary>
    DualStackSocketActivated,
}

/// <summary>
/// The real nbdkit running the plugin the build put beside the tests, over a temporary STATEDIR (empty:
/// the plugin creates its subdirectories) and image root; records are written by hand the way nbdmux
/// publishes them. Disposing kills nbdkit.
/// </summary>
public sealed class NbdkitPluginServer : IAsyncDisposable
{
    public const string PluginFileName = "nbdkit-nbdmux-plugin.so";

    private readonly StringBuilder _log = new();
    private readonly NbdkitListener _listener;
    private readonly int _port;
    private Process? _process;

    public NbdkitPluginServer(NbdkitListener listener = NbdkitListener.Ipv4Loopback)
    {
        _listener = listener;
        Prerequisites.Require("nbdkit", "nbdkit");
        if (listener == NbdkitListener.DualStackSocketActivated)
        {
            Prerequisites.Require("systemd-socket-activate", "systemd");
        }

        if (!File.Exists(PluginPath))
        {
            throw new InvalidOperationException(
                $"{PluginFileName} was not built beside the tests: install gcc and nbdkit-plugin-dev (scripts/install-deps.sh test) and rebuild.");
        }

        // The plugin wants canonical paths (a record's root has no symlink in it).
        BaseDir = RealPath.Of(Directory.CreateTempSubdirectory("nbdkit-plugin-").FullName)!;
        StateDir = Directory.CreateDirectory(Path.Combine(BaseDir, "state")).FullName;
        ImagesRoot = Directory.CreateDirectory(Path.Combine(BaseDir, "images")).FullName;

        _port = FreePort(listener);
    }

    public static string PluginPath => Path.Combine(AppContext.BaseDirectory, PluginFileName);

    public string BaseDir { get; }
    public string StateDir { get; }
    public string ImagesRoot { get; }
    public string ExportsDir => Path.Combine(StateDir, "exports");
    public string ConnectionsDir => Path.Combine(StateDir, "connections");
    public string CutDir => Path.Combine(StateDir, "cut");
    public string WithheldDir => Path.Combine(StateDir, "withheld");
    public string CowDir => Path.Combine(StateDir, "cow");

    /// <summary>Where clients connect; an IPv4 client for the dual-stack listener.</summary>
    public IPEndPoint Endpoint => new(_listener == NbdkitListener.Ipv6Loopback ? IPAddress.IPv6Loopback : IPAddress.Loopback, _port);

    /// <summary>nbdkit's stderr: the plugin's nbdkit_error lines.</summary>
    public string Log { get { lock (_log) { return _log.ToString(); } } }

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("nbdkit is not started.");

    public static async Task<NbdkitPluginServer> StartAsync(NbdkitListener listener = NbdkitListener.Ipv4Loopback)
    {
        var server = new NbdkitPluginServer(listener);
        try
        {
            await server.LaunchAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts nbdkit the way nbdmux does (one process, every export) and waits until it accepts
    /// clients: its pid file is written once it listens.
    /// </summary>
    public async Task LaunchAsync()
    {
        var pidFile = Path.Combine(BaseDir, "nbdkit.pid");
        var nbdkit = new[] { "nbdkit", "--foreground", "--pidfile", pidFile, "-t", "8" };
        string[] command = _listener switch
        {
            NbdkitListener.DualStackSocketActivated => ["systemd-socket-activate", "-l", $"[::]:{_port}", .. nbdkit],
            _ => [.. nbdkit, "-i", Endpoint.Address.ToString(), "-p", $"{_port}"],
        };
        var start = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in command[1..].Concat([PluginPath, $"dir={StateDir}", "build=integration-tests"]))
        {
            start.ArgumentList.Add(arg);
        }

        // nbdkit 1.32.5 asks the kernel for SIGTERM when the thread that started it ends (even without
        // --exit-with-parent), and the plugin undoes that once loaded, since nbdkit must outlive nbdmux.
        // Starting it from a thread that ends as soon as nbdkit listens makes every test depend on that.
        Exception? failure = null;
        var parent = new Thread(() =>
        {
            try { StartAndAwaitPidFile(start, pidFile); } catch (Exception e) { failure = e; }
        })
        { Name = "nbdkit parent" };
        parent.Start();
        await Task.Run(parent.Join);
        if (failure is not null || !File.Exists(pidFile))
        {
            if (_process is not null)
            {
                await StopAsync();
                _process = null;
            }

            throw new InvalidOperationException($"nbdkit did not start ({string.Join(' ', start.ArgumentList)}):\n{Log}", failure);
        }
    }

    private void StartAndAwaitPidFile(ProcessStartInfo start, string pidFile)
    {
        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var waited = Stopwatch.StartNew();
        while (!File.Exists(pidFile) && !_process.HasExited && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            // systemd-socket-activate starts nbdkit on the first connection to its socket.
            Probe();
            Thread.Sleep(20);
        }
    }

    /// <summary>Publishes exports/NAME as nbdmux does: a dot-file renamed into place.</summary>
    public void Publish(string name, string record)
    {
        var path = Path.Combine(ExportsDir, name);
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.tmp");
        File.WriteAllText(temporary, record);
        File.Move(temporary, path, overwrite: true);
    }

    public void Withdraw(string name) => File.Delete(Path.Combine(ExportsDir, name));

    /// <summary>The image's path below ImagesRoot, created with TestImage's sector pattern.</summary>
    public TestImage CreateImage(string relativePath, byte seed, int sectors = 2048)
    {
        var path = Path.Combine(ImagesRoot, relativePath);
        return TestImage.Create(Directory.CreateDirectory(Path.GetDirectoryName(path)!).FullName, Path.GetFileName(path), seed, sectors);
    }

    public Task<NbdConnection> ConnectAsync(string exportName, CancellationToken cancellationToken) =>
        NbdClient.ConnectAsync(Endpoint, exportName, cancellationToken);

    /// <summary>What a client learns must not tell this refusal from that of a name that does not exist.</summary>
    public async Task AssertRefusedLikeAnUnknownNameAsync(string name)
    {
        var unknown = await Assert.ThrowsAsync<NbdNegotiationException>(() => ConnectAsync("no-such-export", TestTimeout.Token));
        var refusal = await Assert.ThrowsAsync<NbdNegotiationException>(() => ConnectAsync(name, TestTimeout.Token));

        Assert.True(unknown.IsUnknownExport, unknown.Message);
        Assert.Equal(unknown.Reply, refusal.Reply);
        Assert.Equal(unknown.Message.Replace("'no-such-export'", "'NAME'"), refusal.Message.Replace($"'{name}'", "'NAME'"));
    }

    /// <summary>nbdkit's stderr arrives asynchronously, so a line may come a moment after the refusal.</summary>
    public Task AssertLoggedAsync(string text) =>
        Eventually.TrueAsync(() => Log.Contains(text, StringComparison.Ordinal), what: $"nbdkit did not log '{text}':\n{Log}");

    public string Uri(string exportName) =>
        $"nbd://{(Endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Endpoint.Address}]" : $"{Endpoint.Address}")}:{_port}/{exportName}";

    public string? Withheld(string name)
    {
        var path = Path.Combine(WithheldDir, name);
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    public string[] ConnectionIds() => Directory.GetFiles(ConnectionsDir).Select(Path.GetFileName).ToArray()!;

    /// <summary>connections/ID as key=value pairs.</summary>
    public Dictionary<string, string> Connection(string id) =>
        File.ReadAllLines(Path.Combine(ConnectionsDir, id)).Select(line => line.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);

    public void Cut(string id) => File.WriteAllText(Path.Combine(CutDir, id), "");

    /// <summary>The files nbdkit holds open under cow/ (overlays are unlinked, so only /proc shows them).</summary>
    public string[] OpenOverlays() =>
        Directory.GetFiles($"/proc/{ProcessId}/fd")
            .Select(fd => new FileInfo(fd).LinkTarget)
            .Where(target => target is not null && target.StartsWith(CowDir + "/", StringComparison.Ordinal))
            .ToArray()!;

    public async ValueTask DisposeAsync()
    {
        var died = _process is not null && await StopAsync();
        Directory.Delete(BaseDir, recursive: true);
        // A plugin that crashes nbdkit fails the test that made it crash, whatever that test asserted.
        Assert.False(died, $"nbdkit died during the test with exit code {_process?.ExitCode}:\n{Log}");
        _process?.Dispose();
    }

    /// <summary>Kills nbdkit; true if it had exited on its own.</summary>
    private async Task<bool> StopAsync()
    {
        var died = _process!.HasExited;
        if (!died)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        return died;
    }

    private void Probe()
    {
        using var socket = new Socket(Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Connect(Endpoint);
        }
        catch (SocketException)
        {
            // Not listening yet.
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log) { _log.AppendLine(line); }
        }
    }

    private static int FreePort(NbdkitListener listener)
    {
        using var socket = listener == NbdkitListener.Ipv4Loopback
            ? new TcpListener(IPAddress.Loopback, 0)
            : new TcpListener(IPAddress.IPv6Any, 0);
        if (listener != NbdkitListener.Ipv4Loopback)
        {
            socket.Server.DualMode = true;
        }

        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
