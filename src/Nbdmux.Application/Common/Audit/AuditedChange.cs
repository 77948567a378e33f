using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Audit;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Application.Common.Audit;

/// <summary>
/// What the handler of an audited command found and did, noted under the registry's lock where
/// only it can see it; the audit behaviour records it with the outcome. One per request.
/// </summary>
public sealed class AuditedChange
{
    public AuditAction? Action { get; private set; }
    public string? Before { get; private set; }
    public string? After { get; private set; }
    public IReadOnlyList<string> Disconnected { get; private set; } = [];

    /// <summary>Whether the record of the change's success was committed with the change itself.</summary>
    public bool RecordedWithChange { get; private set; }

    private Func<AuditEvent>? _recordOfSuccess;

    /// <summary>
    /// How to write the record of this change once it has succeeded (the audit behaviour knows).
    /// The registry commits it in the change's own transaction: a change and its record reach the
    /// disk together, in one write.
    /// </summary>
    public void RecordOnSuccess(Func<AuditEvent> record) => _recordOfSuccess = record;

    /// <summary>The record to commit with the change, once it is live; null when nothing audits it.</summary>
    public AuditEvent? RecordOfSuccess() => _recordOfSuccess?.Invoke();

    /// <summary>The registry committed the change, with <see cref="RecordOfSuccess"/>.</summary>
    public void Committed() => RecordedWithChange = _recordOfSuccess is not null;

    /// <summary>The export as it was before the change (null: the name was free).</summary>
    public void Found(AuditAction action, Export? export)
    {
        Action = action;
        Before = export is null ? null : Describe(export);
    }

    public void Became(Export export) => After = Describe(export);

    /// <summary>Noted just before they are cut, so a change refused earlier never claims it disconnected anyone.</summary>
    public void Disconnecting(IReadOnlyList<string> peers) => Disconnected = peers;

    /// <summary>File and access in one line, e.g. "/srv/a.img, read-only, allow 10.0.0.0/8".</summary>
    private static string Describe(Export export)
    {
        var mode = export.CopyOnWrite ? "copy-on-write" : export.ReadOnly ? "read-only" : "read-write";
        return export.Allow is null ? $"{export.FilePath}, {mode}" : $"{export.FilePath}, {mode}, allow {string.Join(" ", export.Allow)}";
    }
}
