using System.Text;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>
/// Renders nbd-server's INI config. Only validated export names and paths under the data dir
/// are written (each export's image is reached through its symlink), so no user input can
/// inject or corrupt a section.
/// </summary>
public sealed class NbdServerConfig(NbdServerLayout layout, int port, string listenAddress)
{
    /// <summary>
    /// nbd-server refuses to start without exports, yet nbdmux must answer on its port with none.
    /// This section always exists and admits nobody; no export name can start with '-'.
    /// </summary>
    public const string PlaceholderSection = "-nbdmux-placeholder";

    public string Render(IEnumerable<ServedExport> exports)
    {
        var text = new StringBuilder()
            .Append("# Written by nbdmux; edits are overwritten.\n")
            .Append("[generic]\n")
            .Append($"port = {port}\n")
            .Append($"listenaddr = {listenAddress}\n");
        AppendSection(text, PlaceholderSection, layout.PlaceholderImagePath, readOnly: true);
        foreach (var export in exports)
        {
            AppendSection(text, export.Name, layout.LinkPath(export.Name), export.Access.ReadOnly);
            if (export.Access.CopyOnWrite)
            {
                text.Append("copyonwrite = true\n").Append($"cowdir = {Escape(layout.CowDirectory)}\n");
            }
        }

        return text.ToString();
    }

    public void Write(IEnumerable<ServedExport> exports)
    {
        var staged = layout.ConfigPath + ".tmp";
        File.WriteAllText(staged, Render(exports));
        File.Move(staged, layout.ConfigPath, overwrite: true);
    }

    private void AppendSection(StringBuilder text, string section, string imagePath, bool readOnly) =>
        text.Append($"[{section}]\n")
            .Append($"exportname = {Escape(imagePath)}\n")
            .Append($"authfile = {Escape(layout.AuthFilePath(section))}\n")
            .Append($"readonly = {(readOnly ? "true" : "false")}\n");

    /// <summary>GLib's key-file parser decodes backslash escapes in values.</summary>
    private static string Escape(string value) => value.Replace("\\", "\\\\");
}
