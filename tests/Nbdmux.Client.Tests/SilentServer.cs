using System.Net;
using System.Net.Sockets;

namespace Nbdmux.Client.Tests;

/// <summary>Accepts TCP connections and never answers: a hung daemon.</summary>
public sealed class SilentServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _connections = [];
    private readonly CancellationTokenSource _stop = new();

    public SilentServer()
    {
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _ = AcceptAsync();
    }

    public Uri Address { get; }

    public int ConnectionCount
    {
        get
        {
            lock (_connections)
            {
                return _connections.Count;
            }
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var connection = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_connections)
                {
                    _connections.Add(connection);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_connections)
        {
            _connections.ForEach(connection => connection.Dispose());
        }

        _stop.Dispose();
    }
}
