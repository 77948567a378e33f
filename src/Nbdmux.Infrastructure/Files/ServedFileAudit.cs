using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Infrastructure.Files;

/// <summary>
/// Finds served exports whose registered path no longer names the registered file (replaced,
/// renamed away, a directory on its path swapped for a symlink), so that they stop being served
/// to new clients. One open beneath the root and one statx per export, at most once a second,
/// and never with the supervisor's gate held: changes do not wait for a look at every file.
/// </summary>
public sealed class ServedFileAudit(IImageFiles files, TimeProvider time, ILogger<ServedFileAudit> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private long _lastLook = time.GetTimestamp();

    public bool IsDue => time.GetElapsedTime(_lastLook) >= Interval;

    /// <summary>Each changed export with why; an export that cannot be looked at for another reason (out of descriptors...) is kept.</summary>
    public IReadOnlyList<(ServedExport Export, string Reason)> FindChanged(IEnumerable<ServedExport> exports)
    {
        _lastLook = time.GetTimestamp();
        var changed = new List<(ServedExport, string)>();
        foreach (var export in exports)
        {
            try
            {
                if (files.ChangeSinceRegistration(export) is { } reason)
                {
                    changed.Add((export, reason));
                }
            }
            catch (IOException e)
            {
                logger.LogWarning("Could not check the file of export {ExportName}: {Reason}", export.Name, e.Message);
            }
        }

        return changed;
    }
}
