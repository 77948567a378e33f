using System.Net.Http.Json;
using Nbdmux.Api.Dashboard;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Application.Exports;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Api.Tests;

/// <summary>The dashboard shows each warm's status with a progress bar, rate and time left, and why a warm failed.</summary>
public sealed class DashboardWarmTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 6, 0, 0, TimeSpan.Zero);

    // No warmer runs in this factory: a warm stays queued.
    private readonly NbdmuxApiFactory _factory = new(warmSource: "http://images.lab/pub/");

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_queued_warm_shows_a_progress_bar_and_no_nbd_client_line()
    {
        var http = _factory.CreateClient();
        (await http.PostAsJsonAsync("/exports", new { name = "warming", src_url = "http://images.lab/pub/debian.img.zst" })).EnsureSuccessStatusCode();

        var live = await http.GetStringAsync("/dashboard/live");

        Assert.Contains("state-queued", live);
        Assert.Contains("data-testid=\"warm-progress\"", live);
        Assert.Contains("waiting for a free warm slot", live);
        Assert.Contains("<tr class=\"connect\" hidden=\"hidden\">", live);
    }

    [Fact]
    public void A_fetching_warm_shows_amount_rate_and_time_left()
    {
        var export = Warm(ExportStatus.Fetching, done: 40L << 20, total: 1000L << 20, startedSecondsAgo: 10);

        Assert.Equal("40 MiB of 1000 MiB, 4 MiB/s, 4 min left", Live(export).WarmDetail(export));
    }

    [Fact]
    public void A_warm_without_a_total_shows_what_came_so_far()
    {
        var export = Warm(ExportStatus.Fetching, done: 3L << 20, total: null, startedSecondsAgo: 0);

        Assert.Equal("3 MiB so far", Live(export).WarmDetail(export));
    }

    private static ExportDto Warm(ExportStatus status, long done, long? total, int startedSecondsAgo) => new(
        "w", "/images/w.img", true, false, null, status, null, 0, PartitionTable.None, 0, [], Now, Now,
        "http://images.lab/pub/w.img.gz", "img.gz", null, total, done, total is { } t ? Math.Round(done * 100.0 / t, 1) : null, null,
        Now, Now.AddSeconds(-startedSecondsAgo), null, null, null);

    private static DashboardLive Live(ExportDto export) =>
        new([export], new NbdServerStatus(NbdServerState.Running, 1, Now, 0, null), 0, new NbdEndpoint("host", 10809, "0.0.0.0"), "http://host:8082", false, Now);
}
