using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Application.Exports.Warming;
using Nbdmux.Domain.Exports;
using Nbdmux.Domain.Nodes;
using Nbdmux.Testing;

namespace Nbdmux.UnitTests.Application;

/// <summary>Which warms a node runs, when nodes share a registry and when one restarts.</summary>
public class WarmClaimTests
{
    private const string Url = "http://images.lab/pub/debian.img.zst";
    private readonly Fakes _fakes = new();
    private readonly SimulatedTime _clock = new(new DateTimeOffset(2026, 12, 2, 6, 0, 0, TimeSpan.Zero));
    private readonly List<Node> _nodes = [];
    private readonly Mock<IClusterNodes> _cluster = new();

    public WarmClaimTests() =>
        _cluster.Setup(c => c.ReadAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() => new ClusterView(_nodes.ToList(), 1, "a"));

    private WarmJournal Journal() => new(
        _fakes.Store.Object, _fakes.NbdServer.Object, _fakes.ImageFiles.Object, new Mock<IAuditLog>().Object, _cluster.Object, _clock,
        NullLogger<WarmJournal>.Instance);

    private Export Warm(string name, string? runningOn)
    {
        var export = Export.Warm(name, $"/images/{name}.img", new WarmSource(Url, WarmFormat.Zstd, null), ExportAccess.ReadOnlyForEveryone, _clock.GetUtcNow());
        if (runningOn is not null)
        {
            export.WarmStarted(_clock.GetUtcNow(), runningOn);
        }

        _fakes.Registered(export);
        _clock.Advance(TimeSpan.FromSeconds(1));
        return export;
    }

    private void NodeUp(string name) => _nodes.Add(Node.Start(name, name, 8080, 10809, "nbdkit", _clock.GetUtcNow()));

    [Fact]
    public async Task A_node_leaves_the_runs_of_nodes_that_are_up_to_them_and_takes_queued_warms()
    {
        NodeUp("b");
        var queued = Warm("queued", runningOn: null);
        var onB = Warm("on-b", runningOn: "b");

        var claims = await Journal().ClaimAsync("a", starting: true, default);

        Assert.Equal(["queued"], claims.Queue);
        Assert.Empty(claims.Restarted);
        Assert.Equal(["on-b"], claims.RunElsewhere);
        Assert.Equal((ExportStatus.Fetching, "b"), (onB.Status, onB.WarmNode));
        Assert.Equal(ExportStatus.Queued, queued.Status);
        Assert.False(_fakes.Committed);
    }

    [Fact]
    public async Task The_runs_of_a_node_that_went_down_start_over_on_the_node_that_looks()
    {
        NodeUp("b");
        _clock.Advance(Node.DownAfter);
        var onB = Warm("on-b", runningOn: "b");

        var claims = await Journal().ClaimAsync("a", starting: false, default);

        Assert.Equal(["on-b"], claims.Queue);
        Assert.Equal(["on-b"], claims.Restarted);
        Assert.Equal((ExportStatus.Queued, (string?)null), (onB.Status, onB.WarmNode));
        Assert.True(_fakes.Committed);
    }

    [Fact]
    public async Task A_node_keeps_its_own_runs_while_it_runs_and_starts_them_over_when_it_starts()
    {
        var mine = Warm("mine", runningOn: "a");

        var running = await Journal().ClaimAsync("a", starting: false, default);
        Assert.Equal((0, 0, ExportStatus.Fetching), (running.Queue.Count, running.Restarted.Count, mine.Status));

        var started = await Journal().ClaimAsync("a", starting: true, default);
        Assert.Equal(["mine"], started.Queue);
        Assert.Equal(["mine"], started.Restarted);
        Assert.Equal(ExportStatus.Queued, mine.Status);
    }

    [Fact]
    public async Task A_run_another_node_took_over_is_stale_for_the_node_that_started_it()
    {
        Warm("taken", runningOn: null);
        var journal = Journal();
        var started = await journal.StartAsync("taken", "b", default);
        _clock.Advance(Node.DownAfter);
        await journal.ClaimAsync("a", starting: false, default);
        var again = await journal.StartAsync("taken", "a", default);

        Assert.False(await journal.ProgressAsync(started!.Attempt, ExportStatus.Fetching, 10, 100, default));
        Assert.True(await journal.ProgressAsync(again!.Attempt, ExportStatus.Fetching, 10, 100, default));
    }
}
