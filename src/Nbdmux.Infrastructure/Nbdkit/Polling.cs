namespace Nbdmux.Infrastructure.Nbdkit;

/// <summary>Waiting for something that announces itself only by a file or a process state, by looking again.</summary>
public static class Polling
{
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// True once <paramref name="condition"/> holds, false when <paramref name="timeout"/> passed
    /// first. The pause between looks doubles from a millisecond: what is waited for here mostly
    /// happens within a few.
    /// </summary>
    public static async Task<bool> UntilAsync(this TimeProvider time, Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        var pause = TimeSpan.FromMilliseconds(1);
        while (!condition())
        {
            if (time.GetElapsedTime(start) >= timeout)
            {
                return false;
            }

            await Task.Delay(pause, time, cancellationToken);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
        }

        return true;
    }
}
