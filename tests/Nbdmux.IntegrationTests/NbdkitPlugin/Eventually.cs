using System.Diagnostics;

namespace Nbdmux.IntegrationTests.NbdkitPlugin;

/// <summary>Waits for what nbdkit does after a client has gone (its .close runs on nbdkit's own time).</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string failure)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(5), failure);
            await Task.Delay(10);
        }
    }
}
