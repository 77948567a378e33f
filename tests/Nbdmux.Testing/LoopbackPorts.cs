using System.Net;
using System.Net.Sockets;

namespace Nbdmux.Testing;

public static class LoopbackPorts
{
    /// <summary>A loopback port nothing listens on now: free to listen on, and connecting to it is refused.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
