using MediatR;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Domain.Audit;

namespace Nbdmux.Application.Exports.RegisterExport;

/// <summary>
/// Serves <paramref name="File"/> under <paramref name="Name"/>, or, given <paramref name="SrcUrl"/>
/// instead, fetches the image from there (unpacking <paramref name="Format"/>, checking
/// <paramref name="Sha256"/>) and serves it once it is ready. Re-registering a name replaces its
/// file and access. Read-only unless <paramref name="Readonly"/> is false or the export is
/// copy-on-write (every client then writes to its own private overlay).
/// </summary>
public sealed record RegisterExportCommand(
    string? Name,
    string? File,
    bool? Readonly,
    bool? CopyOnWrite = null,
    IReadOnlyList<string>? Allow = null,
    string? SrcUrl = null,
    string? Format = null,
    string? Sha256 = null) : IRequest<RegisterExportResult>, IAuditedCommand
{
    /// <summary>Replace the file even if clients are connected (they are disconnected).</summary>
    public bool Force { get; init; }

    /// <summary>Where targets reach the NBD port, for the lines of the returned record.</summary>
    public TargetAddress? Target { get; init; }

    AuditAction IAuditedCommand.AuditAction => SrcUrl is null ? AuditAction.Register : AuditAction.Warm;

    string? IAuditedCommand.AuditExportName => Name;
}

/// <param name="Changed">False when the name already served this file with this access: nothing was changed.</param>
public sealed record RegisterExportResult(ExportDto Export, bool Created, bool Changed);
