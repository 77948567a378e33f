using System.Diagnostics;
using Nbdmux.Infrastructure.Nbd;

namespace Nbdmux.Bench;

/// <summary>
/// POST-to-negotiable: from sending POST /exports until a new NBD client has completed
/// NBD_OPT_GO for that export, as a booting target would right after the API answered.
/// </summary>
public sealed class RegistrationLatency(NbdmuxProcess nbdmux, string imageA, string imageB)
{
    private int _newNames;

    /// <summary>
    /// A name nbd-server has never loaded (a listener restart). Each is removed again, so the
    /// number of registered exports stays where it was.
    /// </summary>
    public async Task<List<double>> NewNameMillisecondsAsync(int samples)
    {
        var times = new List<double>();
        for (var i = 0; i < samples; i++)
        {
            var name = $"latency-new-{Interlocked.Increment(ref _newNames):D5}";
            times.Add(await TimeAsync(name, imageA));
            await nbdmux.RemoveAsync(name);
        }

        return times;
    }

    /// <summary>An existing name pointed at another file (no restart).</summary>
    public async Task<List<double>> FileChangeMillisecondsAsync(int samples)
    {
        const string name = "latency-change";
        await nbdmux.RegisterAsync(name, imageA);
        var times = new List<double>();
        for (var i = 0; i < samples; i++)
        {
            times.Add(await TimeAsync(name, i % 2 == 0 ? imageB : imageA));
        }

        await nbdmux.RemoveAsync(name);
        return times;
    }

    private async Task<double> TimeAsync(string name, string file)
    {
        // nbdmux refuses (409) to change a file under a connected client; right after a change,
        // the session it opened itself to prove the change may not have ended yet.
        await nbdmux.WaitUntilUnusedAsync(name);
        var elapsed = Stopwatch.StartNew();
        await nbdmux.RegisterAsync(name, file);
        await using (await NbdClient.ConnectAsync(nbdmux.NbdEndpoint, name, CancellationToken.None))
        {
            elapsed.Stop();
        }

        return elapsed.Elapsed.TotalMilliseconds;
    }
}
