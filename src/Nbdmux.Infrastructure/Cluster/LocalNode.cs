using System.Net;
using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.Infrastructure.Cluster;

/// <summary>This nbdmux as the other nodes and the operators see it.</summary>
/// <param name="Address">The bind address, or the host name when it binds every address.</param>
public sealed record LocalNode(string Name, string Address, int HttpPort, int NbdPort)
{
    public static LocalNode For(NbdmuxOptions options, int httpPort)
    {
        var bind = options.BindAddress();
        var address = bind.Equals(IPAddress.Any) || bind.Equals(IPAddress.IPv6Any) ? Dns.GetHostName() : bind.ToString();
        return new LocalNode(options.NodeNameOrHostName, address, httpPort, options.NbdPort);
    }
}
