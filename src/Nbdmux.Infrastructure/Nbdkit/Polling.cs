namespace Nbdmux.Infrastructure.Nbdkit;

/// <summary>Waiting for something that announces itself only by a file or a process state, by looking again.</summary>
public static class Polling
{
    /// <summary>True once <paramref name="condition"/> holds, false when <paramref name="timeout"/> passed first.</summary>
    public static async Task<bool> UntilAsync(
        Func<bool> condition, TimeSpan timeout, TimeSpan interval, TimeProvider time, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        while (!condition())
        {
            if (time.GetElapsedTime(start) >= timeout)
            {
                return false;
            }

            await Task.Delay(interval, time, cancellationToken);
        }

        return true;
    }
}
