namespace Nbdmux.Application.Common;

/// <summary>Waiting for a condition that nothing signals, on a <see cref="TimeProvider"/> so tests can drive the clock.</summary>
public static class Polling
{
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Checks <paramref name="condition"/> until it holds or <paramref name="timeout"/> has passed;
    /// true if it held. Pauses start at a millisecond and double up to 20 ms: most conditions
    /// waited for here hold within a few milliseconds, and each one is on a change's answer path.
    /// </summary>
    public static async Task<bool> UntilAsync(
        this TimeProvider time, Func<Task<bool>> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var pause = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (time.GetElapsedTime(started) >= timeout)
            {
                return false;
            }

            await Task.Delay(pause, time, cancellationToken);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
        }
    }

    public static Task<bool> UntilAsync(this TimeProvider time, Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken) =>
        time.UntilAsync(() => Task.FromResult(condition()), timeout, cancellationToken);
}
