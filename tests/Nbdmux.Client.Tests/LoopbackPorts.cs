using System.Net;
using System.Net.Sockets;

namespace Nbdmux.Client.Tests;

public static class LoopbackPorts
{
    /// <summary>A port nothing listens on: connecting to it is refused at once.</summary>
    public static int Closed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
