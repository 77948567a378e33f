using System.Diagnostics;
using Nbdmux.Nbd;

namespace Nbdmux.Bench;

public sealed record DisruptionOutcome(int Errors, double LongestStallMilliseconds, int Reads, string FirstError);

/// <summary>
/// Clients that hold a connection and read continuously (64 KiB every 2 ms) while nbdmux
/// reconfigures other exports. A stall is the longest time between two completed reads of one
/// holder; an error is any failed read or a dropped connection.
/// </summary>
public sealed class Disruption(DaemonProcess nbdmux, IReadOnlyList<string> heldExports)
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
                        await nbdmux.Api.RegisterAsync(name, imageA);
                        added.Enqueue(name);
                        break;
                    case 1:
                        await nbdmux.Api.RegisterAsync(changeable[i % changeable.Count], i % 2 == 0 ? imageA : imageB);
                        break;
                    default:
                        await nbdmux.Api.RemoveWhenUnusedAsync(added.Dequeue());
                        break;
                }
            }

            foreach (var name in added)
            {
                await nbdmux.Api.RemoveWhenUnusedAsync(name);
            }
        });

    private async Task<DisruptionOutcome> HoldWhileAsync(Func<Task> meanwhile)
    {
        var connections = new List<NbdConnection>();
        foreach (var name in heldExports)
        {
            connections.Add(await NbdClient.ConnectAsync(nbdmux.NbdEndpoint, name, CancellationToken.None));
        }

        using var stop = new CancellationTokenSource();
        var holders = connections.Select(connection => Holder.Start(connection, stop.Token)).ToList();
        try
        {
            await meanwhile();
        }
        finally
        {
            await stop.CancelAsync();
        }

        var outcomes = holders.Select(holder => holder.Join()).ToList();
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

    /// <summary>
    /// One holder on its own thread, so that what it measures is the server and not the
    /// harness's thread pool; it reads at a steady pace, as a booted machine does, rather than
    /// taking the 2 cores away from the nbdmux it is measuring.
    /// </summary>
    private sealed class Holder
    {
        private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(2);

        private readonly Thread _thread;
        private DisruptionOutcome? _outcome;

        private Holder(NbdConnection connection, CancellationToken stop)
        {
            _thread = new Thread(() => _outcome = ReadUntil(connection, stop)) { IsBackground = true };
            _thread.Start();
        }

        public static Holder Start(NbdConnection connection, CancellationToken stop) => new(connection, stop);

        public DisruptionOutcome Join()
        {
            _thread.Join();
            return _outcome!;
        }

        /// <summary>The stall is the longest time from one completed read to the next, less the pause between them.</summary>
        private static DisruptionOutcome ReadUntil(NbdConnection connection, CancellationToken stop)
        {
            var (errors, reads, longest, firstError) = (0, 0, 0.0, "");
            var blocks = Math.Max(1, connection.Size / ReadBytes);
            var sinceLastRead = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested)
            {
                Thread.Sleep(Pause);
                try
                {
                    connection.ReadAsync(Random.Shared.NextInt64(blocks) * ReadBytes, (int)Math.Min(ReadBytes, connection.Size), CancellationToken.None)
                        .GetAwaiter().GetResult();
                    reads++;
                }
                catch (Exception e) when (e is IOException or NbdProtocolException)
                {
                    firstError = e.Message;
                    errors++;
                    break; // the session is gone: the holder would have lost its disk
                }

                longest = Math.Max(longest, (sinceLastRead.Elapsed - Pause).TotalMilliseconds);
                sinceLastRead.Restart();
            }

            return new DisruptionOutcome(errors, longest, reads, firstError);
        }
    }
}
