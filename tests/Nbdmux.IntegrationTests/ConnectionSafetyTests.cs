using System.Diagnostics;

namespace Nbdmux.IntegrationTests;

/// <summary>Guarantee 4: a connected client never sees an I/O error, whatever happens to other exports.</summary>
public sealed class ConnectionSafetyTests(BackendDaemons daemons) : IClassFixture<BackendDaemons>
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_held_connection_keeps_reading_through_adds_removes_and_changes_of_other_exports(string backend)
    {
        var daemon = await daemons.For(backend);
        var rootDisk = TestImage.Create(daemon.ImagesDir, "root.img", seed: 1);
        var other = TestImage.Create(daemon.ImagesDir, "other.img", seed: 99);
        await daemon.RegisterAsync("booted-root", rootDisk.Path);
        await using var connection = await daemon.ConnectAsync("booted-root");
        using var stop = new CancellationTokenSource();
        var reader = ReadContinuouslyAsync(connection, rootDisk, stop.Token);

        for (var round = 0; round < 4; round++)
        {
            await daemon.RegisterAsync($"churn-{round}", other.Path);                    // a new name: listener restart
            await daemon.RegisterAsync($"churn-{round}", rootDisk.Path);                 // a file change
            await daemon.RegisterAsync($"churn-{round}", other.Path, readOnly: false);   // a mode change (on another file: one written is exported once): restart
            await daemon.RemoveAsync($"churn-{round}");
        }

        await Task.Delay(200);
        stop.Cancel();
        var (reads, errors, longestStall) = await reader;

        Assert.Empty(errors);
        // Proof that the reader read all along, not only before and after the changes: at a read every 2 ms,
        // the changes and the pause after them leave room for many more reads than this.
        Assert.True(reads >= 20, $"only {reads} reads completed");
        Assert.True(longestStall < TimeSpan.FromSeconds(1), $"a read stalled for {longestStall.TotalMilliseconds} ms");
    }

    private static async Task<(int Reads, List<string> Errors, TimeSpan LongestStall)> ReadContinuouslyAsync(
        Nbd.NbdConnection connection, TestImage image, CancellationToken stop)
    {
        var errors = new List<string>();
        var reads = 0;
        var longest = TimeSpan.Zero;
        var random = new Random(4);
        while (!stop.IsCancellationRequested)
        {
            var sector = random.Next(image.Sectors);
            var timer = Stopwatch.StartNew();
            try
            {
                var data = await connection.ReadAsync((long)sector * TestImage.SectorSize, TestImage.SectorSize, CancellationToken.None);
                if (!TestImage.IsSectorOf(image.Seed, sector, data))
                {
                    errors.Add($"sector {sector} had the wrong content");
                }
            }
            catch (Exception e)
            {
                errors.Add($"read {reads}: {e.Message}");
                break;
            }

            longest = timer.Elapsed > longest ? timer.Elapsed : longest;
            reads++;
            await Task.Delay(2, CancellationToken.None);
        }

        return (reads, errors, longest);
    }
}
