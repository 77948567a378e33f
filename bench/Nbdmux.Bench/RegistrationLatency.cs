using System.Diagnostics;
using Nbdmux.Nbd;

namespace Nbdmux.Bench;

/// <summary>Per-change latencies of one nbdmux, over kept-alive HTTP connections, one change at a time.</summary>
public sealed class RegistrationLatency(DaemonProcess nbdmux, string imageA, string imageB)
{
    private int _newNames;

    /// <summary>
    /// For each sample, a name the daemon has never served: from sending the POST until a new
    /// NBD client has completed NBD_OPT_GO for it (as a booting target would right after the API
    /// answered); then, once that client is gone, the DELETE of it until answered (nbdmux answers
    /// once the name is refused on the wire). The count of exports stays where it was.
    /// </summary>
    public async Task<(List<double> NewName, List<double> Delete)> NewNameThenDeleteAsync(int samples)
    {
        var (newNames, deletes) = (new List<double>(), new List<double>());
        for (var i = 0; i < samples; i++)
        {
            var name = $"latency-new-{Interlocked.Increment(ref _newNames):D5}";
            newNames.Add(await PostToNegotiableAsync(name, imageA));
            await nbdmux.Api.WaitUntilUnusedAsync(name);
            deletes.Add(await nbdmux.Api.RemoveAsync(name));
        }

        return (newNames, deletes);
    }

    /// <summary>An existing name pointed at another file: from the POST until a new client has negotiated it.</summary>
    public async Task<List<double>> FileChangeAsync(int samples)
    {
        const string name = "latency-change";
        await nbdmux.Api.RegisterAsync(name, imageA);
        var times = new List<double>();
        for (var i = 0; i < samples; i++)
        {
            // nbdmux refuses (409) to change a file under a connected client; right after a
            // change, the session it opened itself to prove the change may not have ended yet.
            await nbdmux.Api.WaitUntilUnusedAsync(name);
            times.Add(await PostToNegotiableAsync(name, i % 2 == 0 ? imageB : imageA));
        }

        await nbdmux.Api.WaitUntilUnusedAsync(name);
        await nbdmux.Api.RemoveAsync(name);
        return times;
    }

    /// <summary>The same POST again (same name, file and mode): until answered.</summary>
    public async Task<List<double>> UnchangedRepostAsync(string name, string file, int samples)
    {
        var times = new List<double>();
        for (var i = 0; i < samples; i++)
        {
            times.Add(await nbdmux.Api.RegisterAsync(name, file));
        }

        return times;
    }

    private async Task<double> PostToNegotiableAsync(string name, string file)
    {
        var elapsed = Stopwatch.StartNew();
        await nbdmux.Api.RegisterAsync(name, file);
        await using (await NbdClient.ConnectAsync(nbdmux.NbdEndpoint, name, CancellationToken.None))
        {
            elapsed.Stop();
        }

        return elapsed.Elapsed.TotalMilliseconds;
    }
}
