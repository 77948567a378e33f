using System.Text.Json.Serialization;
using MediatR;
using Nbdmux.Application.Common.Audit;

namespace Nbdmux.Application.Exports.RegisterExport;

/// <summary>
/// Serves <paramref name="File"/> under <paramref name="Name"/>; re-registering a name replaces
/// its file and access. Read-only unless <paramref name="Readonly"/> is false or the export is
/// copy-on-write (every client then writes to its own private overlay).
/// </summary>
public sealed record RegisterExportCommand(
    string? Name,
    string? File,
    bool? Readonly,
    bool? CopyOnWrite = null,
    IReadOnlyList<string>? Allow = null) : IRequest<RegisterExportResult>, IAuditedCommand
{
    /// <summary>Replace the file even if clients are connected (they are disconnected). A query flag, never body JSON.</summary>
    [JsonIgnore]
    public bool Force { get; init; }

    /// <summary>Where targets reach the NBD port, for the lines of the returned record. Never body JSON.</summary>
    [JsonIgnore]
    public TargetAddress? Target { get; init; }

    string IAuditedCommand.AuditAction => AuditActions.Register;

    string? IAuditedCommand.AuditExportName => Name;
}

public sealed record RegisterExportResult(ExportDto Export, bool Created);
