using System.Globalization;
using Nbdmux.Client;

namespace Nbdmux.Cli;

/// <summary>The human form of `nbdmux nodes`: one aligned row per node sharing the registry, numbers right-aligned.</summary>
public static class NodeTable
{
    private static readonly string[] Header = ["NAME", "STATUS", "NBD", "API", "BACKEND", "EXPORTS", "CLIENTS", "LAG", "HEARTBEAT"];
    private static readonly int[] Numbers = [5, 6, 7];

    public static void Write(TextWriter output, IReadOnlyList<NbdmuxNode> nodes)
    {
        AlignedTable.Write(
            output, Header,
            nodes.Select(node => new[]
            {
                node.Name, node.Status, node.NbdEndpoint, node.ApiUrl, node.Backend, $"{node.ExportsServed}", $"{node.Connections}", $"{node.Lag}",
                node.LastHeartbeat.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            }),
            Numbers);
    }
}
