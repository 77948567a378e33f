using System.Diagnostics;
using System.Net;
using Nbdmux.Nbd;

namespace Nbdmux.Bench;

/// <summary>`nbdkit file` serving the same image read-only: a second reference point for the data plane.</summary>
public sealed class NbdkitServer : IAsyncDisposable
{
    private readonly Process _process;

    private NbdkitServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }
    public string Uri => $"nbd://127.0.0.1:{Port}/";

    public static async Task<NbdkitServer> StartAsync(string image)
    {
        var port = LoopbackPorts.Free();
        var process = Process.Start("nbdkit", ["--foreground", "--exit-with-parent", "--readonly", "-i", "127.0.0.1", "-p", $"{port}", "file", $"file={image}"]);
        var server = new NbdkitServer(process, port);
        var elapsed = Stopwatch.StartNew();
        while (elapsed.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                await using var connection = await NbdClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), "", CancellationToken.None);
                return server;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                await Task.Delay(10);
            }
        }

        await server.DisposeAsync();
        throw new TimeoutException($"nbdkit on port {port} did not negotiate within 30 s");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
