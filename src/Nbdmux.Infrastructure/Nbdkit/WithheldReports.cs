using System.Text;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Infrastructure.Nbdkit;

/// <summary>
/// withheld/NAME: why the plugin refused an export to a client (its record is invalid, or the
/// image is not the registered file any more). Collected and deleted on every watch tick.
/// </summary>
public sealed class WithheldReports(NbdkitLayout layout)
{
    /// <summary>One line is all a reason is; more is a broken or hostile file.</summary>
    private const int MaxReasonLength = 512;

    /// <summary>
    /// The reasons written since the last call, by export name. Files are deleted once read,
    /// whatever their name; dot-files are left alone: they are reports still being written.
    /// </summary>
    public IReadOnlyDictionary<string, string> Collect()
    {
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(layout.WithheldDirectory))
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith('.'))
            {
                continue;
            }

            if (ExportName.IsValid(name) && ReadOrNull(path) is { } text)
            {
                reasons[name] = Reason(text);
            }

            File.Delete(path);
        }

        return reasons;
    }

    /// <summary>At start-up: every export is published afresh, and reports again if it is refused again.</summary>
    public void Clear()
    {
        foreach (var file in Directory.EnumerateFiles(layout.WithheldDirectory))
        {
            File.Delete(file);
        }
    }

    /// <summary>The first line of a report, safe to log and show.</summary>
    public static string Reason(string text) =>
        PrintableLine.Of(text, MaxReasonLength) is { Length: > 0 } reason ? reason : "refused by the nbdkit plugin (no reason given)";

    private static string? ReadOrNull(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            var buffer = new byte[MaxReasonLength * 4];
            var length = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }
}
