using Nbdmux.Application.Exports.RegisterExport;

namespace Nbdmux.Api.Dashboard;

/// <summary>
/// The dashboard's add form. Name and File match <see cref="RegisterExportCommand"/>, so their
/// validation failures land next to their fields; every failure is also listed atop the form.
/// </summary>
public sealed class AddExportForm
{
    public const string ReadOnlyMode = "read-only";
    public const string ReadWriteMode = "read-write";
    public const string CopyOnWriteMode = "copy-on-write";

    public static readonly (string Value, string Label, string Hint)[] Modes =
    [
        (ReadOnlyMode, "Read-only", "targets cannot write"),
        (CopyOnWriteMode, "Copy-on-write", "each target writes to a private overlay, dropped when it disconnects; the image never changes"),
        (ReadWriteMode, "Read-write", "targets write to the image itself"),
    ];

    public string? Name { get; set; }

    public string? File { get; set; }

    public string Mode { get; set; } = ReadOnlyMode;

    /// <summary>Addresses or CIDR networks separated by spaces, commas or new lines; empty admits everyone.</summary>
    public string? Allow { get; set; }

    public RegisterExportCommand ToCommand() => new(
        Name,
        File,
        Readonly: Mode == ReadOnlyMode ? true : Mode == ReadWriteMode ? false : null,
        CopyOnWrite: Mode == CopyOnWriteMode ? true : null,
        Allow: Allow?.Split([' ', ',', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } entries ? entries : null);
}
