using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Infrastructure.Files;

/// <summary>
/// Finds served exports whose registered path no longer names the registered file (replaced,
/// renamed away, a directory on its path swapped for a symlink), so that they stop being served
/// to new clients. Cheap (one open beneath the root and one statx per export), yet looked at
/// at most once a second.
/// </summary>
public sealed class ServedFileAudit(IImageFiles files, TimeProvider time, ILogger<ServedFileAudit> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private long _lastLook = time.GetTimestamp();

    public bool IsDue => time.GetElapsedTime(_lastLook) >= Interval;

    /// <summary>Each changed export with why; an export that cannot be looked at for another reason (out of descriptors...) is kept.</summary>
    public IReadOnlyList<(string Name, string Reason)> FindChanged(IEnumerable<ServedExport> exports)
    {
        _lastLook = time.GetTimestamp();
        var changed = new List<(string, string)>();
        foreach (var export in exports)
        {
            try
            {
                if (files.ChangeSinceRegistration(export) is { } reason)
                {
                    changed.Add((export.Name, reason));
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
