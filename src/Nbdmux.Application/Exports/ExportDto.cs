using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Application.Exports;

/// <summary>A client connected to an export, as the API shows it.</summary>
public sealed record ConnectionDto(string Peer, DateTimeOffset Since);

/// <summary>
/// An export as the API shows it (snake_case on the wire: size_bytes, created_at, ...), with what a
/// target runs to use it: <see cref="NbdClientCommand"/> from a running system, and
/// <see cref="KernelCommandLine"/> to boot from it (deploy/ramboot). Both are null only for
/// in-process callers that name no <see cref="TargetAddress"/>.
/// </summary>
public sealed record ExportDto(
    string Name,
    string File,
    bool Readonly,
    bool CopyOnWrite,
    IReadOnlyList<string>? Allow,
    string Status,
    string? Problem,
    long SizeBytes,
    string PartitionTable,
    int ConnectionCount,
    IReadOnlyList<ConnectionDto> Connections,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? NbdClientCommand,
    string? KernelCommandLine)
{
    /// <summary>Served to new clients now.</summary>
    public const string Active = "active";

    /// <summary>Registered, but nbd-server is not running, so nobody can connect.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>Registered, but not served: see <see cref="Problem"/> (e.g. outside the image roots).</summary>
    public const string Withheld = "withheld";

    public static ExportDto From(Export export, NbdServerStatus server, IEnumerable<ClientConnection> connections, TargetAddress? target)
    {
        var problem = server.WithheldReason(export.Name);
        var clients = connections.Where(c => c.Export == export.Name).Select(c => new ConnectionDto(c.Peer, c.Since)).ToList();
        return new ExportDto(
            export.Name,
            export.FilePath,
            export.ReadOnly,
            export.CopyOnWrite,
            export.Allow,
            problem is not null ? Withheld : server.IsRunning ? Active : Unavailable,
            problem,
            export.SizeBytes,
            export.PartitionTable.ToString().ToLowerInvariant(),
            clients.Count,
            clients,
            export.CreatedAt,
            export.UpdatedAt,
            target?.NbdClientCommand(export.Name),
            target?.KernelCommandLine(export.Name));
    }
}
