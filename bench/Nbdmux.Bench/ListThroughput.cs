using System.Diagnostics;

namespace Nbdmux.Bench;

/// <summary>GET /exports as fast as the clients can, for a fixed time; each response read to the end.</summary>
public sealed class ListThroughput(DaemonProcess nbdmux)
{
    public async Task<double> RequestsPerSecondAsync(int clients, TimeSpan duration)
    {
        var requests = 0;
        var elapsed = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (elapsed.Elapsed < duration)
            {
                using var response = await nbdmux.Api.Http.GetAsync("/exports");
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
                Interlocked.Increment(ref requests);
            }
        })));
        return requests / elapsed.Elapsed.TotalSeconds;
    }
}
