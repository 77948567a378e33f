using System.Diagnostics;

namespace Nbdmux.Bench;

/// <summary>
/// How long the disk under the data dirs takes to make a small write durable. Every change
/// nbdmux acknowledges waits for one such flush (SQLite commits the change with its audit
/// record), so this is the floor under every change latency.
/// </summary>
public static class DiskSync
{
    private const int BlockBytes = 4096;

    /// <summary>The time of each of <paramref name="samples"/> fsyncs after a 4 KiB append to a file in <paramref name="directory"/>, in ms.</summary>
    public static List<double> Measure(string directory, int samples)
    {
        var path = Path.Combine(directory, "fsync-probe");
        var block = new byte[BlockBytes];
        var times = new List<double>();
        try
        {
            using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
            for (var i = 0; i < samples; i++)
            {
                file.Write(block);
                var start = Stopwatch.GetTimestamp();
                file.Flush(flushToDisk: true);
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        finally
        {
            File.Delete(path);
        }

        return times;
    }
}
