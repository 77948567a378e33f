using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Application.Exports.GetExports;

/// <summary>
/// The export list last built, handed out again while what it was built from is the same: the
/// same registry list, nbd-server status and connections (each replaced whole when it changes,
/// so a reference comparison tells), for the same target address.
/// </summary>
public sealed class LatestExportList
{
    private volatile Built? _latest;

    public ExportList For(IReadOnlyList<Export> exports, NbdServerStatus status, IReadOnlyList<ClientConnection> connections, TargetAddress target)
    {
        if (_latest is { } latest && ReferenceEquals(latest.Exports, exports) &&
            ReferenceEquals(latest.Status, status) && ReferenceEquals(latest.Connections, connections) && latest.Target == target)
        {
            return latest.List;
        }

        var list = new ExportList(exports.Select(export => ExportDto.From(export, status, connections, target)).ToList());
        _latest = new Built(exports, status, connections, target, list);
        return list;
    }

    private sealed record Built(IReadOnlyList<Export> Exports, NbdServerStatus Status, IReadOnlyList<ClientConnection> Connections, TargetAddress Target, ExportList List);
}
