using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;
using Nbdmux.Domain.Nodes;

namespace Nbdmux.Application.Exports;

/// <summary>A client connected to an export, as the API shows it; <paramref name="Node"/>, the node it is connected to, only when the registry is shared.</summary>
public sealed record ConnectionDto(string Peer, DateTimeOffset Since, string? Node = null);

/// <summary>
/// On a shared registry, this node's name and the clients the other nodes that are up recorded:
/// an export shows its clients on every node.
/// </summary>
public sealed record ClusterConnections(string? LocalNode, IReadOnlyList<NodeClient> Elsewhere)
{
    public static ClusterConnections None { get; } = new(null, []);

    public static async Task<ClusterConnections> ReadAsync(IClusterClients cluster, string? export, CancellationToken cancellationToken) =>
        cluster.LocalNode is { } local ? new(local, await cluster.ElsewhereAsync(export, cancellationToken)) : None;
}

/// <summary>
/// An export as the API shows it (snake_case on the wire: size_bytes, created_at, ...). The warm
/// fields keep the names and meaning of the Python nbdmux 0.2.1: <see cref="BytesDone"/> of
/// <see cref="BytesTotal"/> fetched, <see cref="Progress"/> in percent with one decimal; all null
/// for an export registered with a file. It carries what a target runs to use it:
/// <see cref="NbdClientCommand"/> from a running system, and <see cref="KernelCommandLine"/> to
/// boot from it (deploy/ramboot); both null only for in-process callers that name no
/// <see cref="TargetAddress"/>.
/// </summary>
public sealed record ExportDto(
    string Name,
    string File,
    bool Readonly,
    bool CopyOnWrite,
    IReadOnlyList<string>? Allow,
    ExportStatus Status,
    string? Problem,
    long SizeBytes,
    PartitionTable PartitionTable,
    int ConnectionCount,
    IReadOnlyList<ConnectionDto> Connections,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? SrcUrl,
    string? Format,
    string? Sha256,
    long? BytesTotal,
    long? BytesDone,
    double? Progress,
    string? Error,
    DateTimeOffset? EnqueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    string? NbdClientCommand,
    string? KernelCommandLine)
{
    /// <summary>The statuses a record can show, in the order the dashboard and metrics list them.</summary>
    public static IReadOnlyList<ExportStatus> Statuses { get; } = Enum.GetValues<ExportStatus>();

    public static ExportDto From(
        Export export, NbdServerStatus server, IEnumerable<ClientConnection> connections, TargetAddress? target, ClusterConnections? cluster = null)
    {
        var problem = export.Status == ExportStatus.Ready ? server.WithheldReason(export.Name) : null;
        cluster ??= ClusterConnections.None;
        List<ConnectionDto> clients =
        [
            .. connections.Where(c => c.Export == export.Name).Select(c => new ConnectionDto(c.Peer, c.Since, cluster.LocalNode)),
            .. cluster.Elsewhere.Where(c => c.Export == export.Name).Select(c => new ConnectionDto(c.Peer, c.Since, c.Node)),
        ];
        return new ExportDto(
            export.Name,
            export.FilePath,
            export.ReadOnly,
            export.CopyOnWrite,
            export.Allow,
            export.Status != ExportStatus.Ready ? export.Status
                : problem is not null ? ExportStatus.Withheld
                : server.IsRunning ? ExportStatus.Ready : ExportStatus.Unavailable,
            problem,
            export.SizeBytes,
            export.PartitionTable,
            clients.Count,
            clients,
            export.CreatedAt,
            export.UpdatedAt,
            export.Source?.Url,
            export.Source?.Format,
            export.Source?.Sha256,
            export.BytesTotal,
            export.BytesDone,
            export.Progress,
            export.Error,
            export.EnqueuedAt,
            export.StartedAt,
            export.CompletedAt,
            target?.NbdClientCommand(export.Name),
            target?.KernelCommandLine(export.Name));
    }
}
