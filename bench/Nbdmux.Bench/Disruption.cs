using System.Diagnostics;
using Nbdmux.Infrastructure.Nbd;

namespace Nbdmux.Bench;

public sealed record DisruptionOutcome(int Errors, double LongestStallMilliseconds, int Reads, string FirstError);

/// <summary>
/// Clients that hold a connection and read continuously (64 KiB at a time) while nbdmux
/// reconfigures other exports. A stall is the longest time between two completed reads of one
/// holder; an error is any failed read or a dropped connection.
/// </summary>
public sealed class Disruption(NbdmuxProcess nbdmux, IReadOnlyList<string> heldExports)
{
    private const int ReadBytes = 64 * 1024;

    public Task<DisruptionOutcome> WhileIdleAsync(TimeSpan duration) =>
        HoldWhileAsync(() => Task.Delay(duration));

    /// <summary>Cycles through adding a new name, changing an export's file and removing the added name.</summary>
    public Task<DisruptionOutcome> WhileReconfiguringAsync(int operations, IReadOnlyList<string> changeable, string imageA, string imageB) =>
        HoldWhileAsync(async () =>
        {
            var added = new Queue<string>();
            for (var i = 0; i < operations; i++)
            {
                switch (i % 3)
                {
                    case 0:
                        var name = $"churn-{Guid.NewGuid():N}"[..20];
                        await nbdmux.RegisterAsync(name, imageA);
                        added.Enqueue(name);
                        break;
                    case 1:
                        await nbdmux.RegisterAsync(changeable[i % changeable.Count], i % 2 == 0 ? imageA : imageB);
                        break;
                    default:
                        await nbdmux.RemoveAsync(added.Dequeue());
                        break;
                }
            }

            foreach (var name in added)
            {
                await nbdmux.RemoveAsync(name);
            }
        });

    private async Task<DisruptionOutcome> HoldWhileAsync(Func<Task> meanwhile)
    {
        using var stop = new CancellationTokenSource();
        var connections = new List<NbdConnection>();
        foreach (var name in heldExports)
        {
            connections.Add(await NbdClient.ConnectAsync(nbdmux.NbdEndpoint, name, CancellationToken.None));
        }

        var holders = connections.Select(connection => Task.Run(() => ReadUntilAsync(connection, stop.Token))).ToList();
        try
        {
            await meanwhile();
        }
        finally
        {
            await stop.CancelAsync();
        }

        var outcomes = await Task.WhenAll(holders);
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        return new DisruptionOutcome(
            outcomes.Sum(o => o.Errors),
            outcomes.Max(o => o.LongestStallMilliseconds),
            outcomes.Sum(o => o.Reads),
            outcomes.Select(o => o.FirstError).FirstOrDefault(e => e.Length > 0) ?? "");
    }

    private static async Task<DisruptionOutcome> ReadUntilAsync(NbdConnection connection, CancellationToken stop)
    {
        var (errors, reads, longest, firstError) = (0, 0, 0.0, "");
        var sinceLastRead = Stopwatch.StartNew();
        var blocks = Math.Max(1, connection.Size / ReadBytes);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await connection.ReadAsync(Random.Shared.NextInt64(blocks) * ReadBytes, (int)Math.Min(ReadBytes, connection.Size), CancellationToken.None);
                reads++;
            }
            catch (Exception e) when (e is IOException or NbdProtocolException)
            {
                firstError = firstError.Length > 0 ? firstError : e.Message;
                errors++;
                break; // the session is gone: the holder would have lost its disk
            }

            longest = Math.Max(longest, sinceLastRead.Elapsed.TotalMilliseconds);
            sinceLastRead.Restart();
        }

        return new DisruptionOutcome(errors, longest, reads, firstError);
    }
}
