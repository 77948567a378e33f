using Microsoft.Extensions.Time.Testing;

namespace Nbdmux.Testing;

/// <summary>A clock that moves only when something waits on it, by exactly that wait: waits take no real time.</summary>
public sealed class SimulatedTime(DateTimeOffset start) : FakeTimeProvider(start)
{
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            Advance(dueTime);
        }

        return timer;
    }
}
