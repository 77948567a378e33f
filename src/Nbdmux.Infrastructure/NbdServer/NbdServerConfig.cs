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

    /// <summary>Written straight to <paramref name="text"/>: with 1,000 exports a string of it would be a large-object allocation per change.</summary>
    public void Render(IEnumerable<ServedExport> exports, TextWriter text)
    {
        text.Write("# Written by nbdmux; edits are overwritten.\n");
        text.Write("[generic]\n");
        text.Write($"port = {port}\n");
        text.Write($"listenaddr = {listenAddress}\n");
        AppendSection(text, PlaceholderSection, layout.PlaceholderImagePath, readOnly: true);
        foreach (var export in exports)
        {
            AppendSection(text, export.Name, layout.LinkPath(export.Name), export.Access.ReadOnly);
            if (export.Access.CopyOnWrite)
            {
                text.Write("copyonwrite = true\n");
                text.Write($"cowdir = {Escape(layout.CowDirectory)}\n");
            }
        }
    }

    public void Write(IEnumerable<ServedExport> exports)
    {
        var staged = layout.ConfigPath + ".tmp";
        using (var writer = new StreamWriter(staged))
        {
            Render(exports, writer);
        }

        File.Move(staged, layout.ConfigPath, overwrite: true);
    }

    private void AppendSection(TextWriter text, string section, string imagePath, bool readOnly)
    {
        text.Write($"[{section}]\n");
        text.Write($"exportname = {Escape(imagePath)}\n");
        text.Write($"authfile = {Escape(layout.AuthFilePath(section))}\n");
        text.Write($"readonly = {(readOnly ? "true" : "false")}\n");
    }

    /// <summary>GLib's key-file parser decodes backslash escapes in values.</summary>
    private static string Escape(string value) => value.Replace("\\", "\\\\");
}
