using System.Diagnostics;

namespace Nbdmux.Testing;

/// <summary>Waiting in a test for what a daemon does on its own time; fails the test, saying <c>what</c>, when it does not happen.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan? within = null, string? what = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(5);
        var elapsed = Stopwatch.StartNew();
        while (!await condition())
        {
            if (elapsed.Elapsed >= limit)
            {
                throw new TimeoutException($"{what ?? "the condition did not hold"} (waited {limit.TotalSeconds} s)");
            }

            await Task.Delay(5);
        }
    }

    public static Task TrueAsync(Func<bool> condition, TimeSpan? within = null, string? what = null) =>
        TrueAsync(() => Task.FromResult(condition()), within, what);
}
