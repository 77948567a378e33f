using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Nbdmux.Nbd;

namespace Nbdmux.Bench;

/// <param name="WithinDeadline">Clients that completed NBD_OPT_GO within the deadline.</param>
/// <param name="Negotiated">Clients that completed it at all before the harness gave up.</param>
/// <param name="LastMilliseconds">When the last of those completed, from the start of the burst; null if none did.</param>
/// <param name="FirstFailure">What the first client that did not negotiate saw.</param>
public sealed record BurstOutcome(int WithinDeadline, int Negotiated, double? LastMilliseconds, string FirstFailure);

/// <summary>
/// Many clients connecting in the same instant, as a lab rack powering on: every connection is
/// started in one loop (each ConnectAsync sends its SYN before the loop moves on), each then
/// negotiates an export with NBD_OPT_GO, and all stay connected until the burst is over.
/// </summary>
public static class Burst
{
    public static async Task<BurstOutcome> NegotiateAsync(IPEndPoint endpoint, string export, int clients, TimeSpan deadline, TimeSpan patience)
    {
        using var giveUp = new CancellationTokenSource(patience);
        var elapsed = Stopwatch.StartNew();
        var attempts = Enumerable.Range(0, clients).Select(_ => AttemptAsync(endpoint, export, elapsed, giveUp.Token)).ToList();
        var outcomes = await Task.WhenAll(attempts);
        foreach (var connection in outcomes.Select(o => o.Connection).OfType<NbdConnection>())
        {
            await connection.DisposeAsync();
        }

        var times = outcomes.Where(o => o.Connection is not null).Select(o => o.Milliseconds).ToList();
        return new BurstOutcome(
            times.Count(t => t <= deadline.TotalMilliseconds),
            times.Count,
            times.Count > 0 ? times.Max() : null,
            outcomes.Select(o => o.Failure).FirstOrDefault(f => f.Length > 0) ?? "");
    }

    private static async Task<(NbdConnection? Connection, double Milliseconds, string Failure)> AttemptAsync(
        IPEndPoint endpoint, string export, Stopwatch elapsed, CancellationToken giveUp)
    {
        try
        {
            var connection = await NbdClient.ConnectAsync(endpoint, export, giveUp);
            return (connection, elapsed.Elapsed.TotalMilliseconds, "");
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            var failure = e is OperationCanceledException ? "no NBD greeting and reply within the harness's patience" : e.Message;
            return (null, elapsed.Elapsed.TotalMilliseconds, $"{failure} (after {elapsed.Elapsed.TotalMilliseconds:F0} ms)");
        }
    }
}
