using System.Text;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Files;

namespace Nbdmux.Infrastructure.Nbdkit;

/// <summary>
/// The published records in exports/: what the plugin serves to the next client that asks.
/// Each is replaced whole by rename(2), so the plugin reads either the old record or the new
/// one, never a mix.
/// </summary>
public sealed class ExportRecords(NbdkitLayout layout, ImageRoots roots)
{
    /// <summary>Publishes the export to the next client that asks for it.</summary>
    /// <exception cref="Application.Common.Exceptions.ImageUnservableException">Its image cannot be published; nothing was changed.</exception>
    public void Publish(ServedExport export)
    {
        var text = ExportRecord.Render(PublishedImage.Locate(export, roots), export.Access);
        if (Encoding.UTF8.GetByteCount(text) > ExportRecord.MaxBytes)
        {
            throw new Application.Common.Exceptions.ImageUnservableException(
                $"its allow list is too long: the published record would exceed {ExportRecord.MaxBytes / 1024} KiB");
        }

        Write(export.Name, text);
    }

    public void Delete(string name) => File.Delete(layout.RecordPath(Checked(name)));

    /// <summary>The names published now.</summary>
    public IEnumerable<string> Names() =>
        Directory.EnumerateFiles(layout.ExportsDirectory).Select(Path.GetFileName).OfType<string>().Where(ExportName.IsValid);

    /// <summary>Records left half-written by a crash: the plugin ignores dot-files, and nothing would ever remove them.</summary>
    public void RemoveUnfinished()
    {
        foreach (var file in Directory.EnumerateFiles(layout.ExportsDirectory, ".*"))
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// Moves every record out of exports/, so that the running server refuses every new client
    /// while it keeps serving the connected ones; <see cref="RestoreStopped"/> undoes it. Record
    /// by record: the plugin holds exports/ open from its start, so the directory itself must
    /// never be renamed or replaced under a running server.
    /// </summary>
    public void PutAway()
    {
        DeleteStopped();
        Directory.CreateDirectory(layout.StoppedExportsDirectory);
        foreach (var name in Names())
        {
            File.Move(layout.RecordPath(name), Path.Combine(layout.StoppedExportsDirectory, name));
        }
    }

    /// <summary>Serves again what <see cref="PutAway"/> put away, if anything.</summary>
    public void RestoreStopped()
    {
        if (!Directory.Exists(layout.StoppedExportsDirectory))
        {
            return;
        }

        var stopped = Directory.EnumerateFiles(layout.StoppedExportsDirectory).Select(Path.GetFileName).OfType<string>();
        foreach (var name in stopped.Where(name => ExportName.IsValid(name) && !File.Exists(layout.RecordPath(name))))
        {
            File.Move(Path.Combine(layout.StoppedExportsDirectory, name), layout.RecordPath(name));
        }

        DeleteStopped();
    }

    /// <summary>Drops every record, and any put away: nothing is served until published again.</summary>
    public void Clear()
    {
        DeleteStopped();
        foreach (var file in Directory.EnumerateFiles(layout.ExportsDirectory))
        {
            File.Delete(file);
        }
    }

    /// <summary>Writes a dot-file beside the record, then renames it over the record.</summary>
    public void Write(string name, string text)
    {
        var path = layout.RecordPath(Checked(name));
        var unfinished = Path.Combine(layout.ExportsDirectory, "." + name);
        File.WriteAllText(unfinished, text);
        File.Move(unfinished, path, overwrite: true);
    }

    private void DeleteStopped()
    {
        if (Directory.Exists(layout.StoppedExportsDirectory))
        {
            Directory.Delete(layout.StoppedExportsDirectory, recursive: true);
        }
    }

    /// <summary>A valid export name has no '/' and no leading dot: it can only ever name a file in exports/.</summary>
    private static string Checked(string name) =>
        ExportName.IsValid(name) ? name : throw new ArgumentException($"'{name}' is not a valid export name.", nameof(name));
}
