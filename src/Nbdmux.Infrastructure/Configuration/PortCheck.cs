using System.Net;
using System.Net.Sockets;

namespace Nbdmux.Infrastructure.Configuration;

public static class PortCheck
{
    /// <summary>Fails with a message naming the flag to change when something else listens on the endpoint.</summary>
    public static void EnsureFree(IPEndPoint endpoint, string flag)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            socket.Bind(endpoint);
        }
        catch (SocketException e)
        {
            throw new StartupException($"port {endpoint} is not available ({e.Message}); stop what uses it or pass {flag}.", e);
        }
    }
}
