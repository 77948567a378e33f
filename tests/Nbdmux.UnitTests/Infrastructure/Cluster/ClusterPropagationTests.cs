using Moq;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Nodes;
using Nbdmux.Infrastructure.Cluster;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Testing;
using Npgsql;

namespace Nbdmux.UnitTests.Infrastructure.Cluster;

public sealed class ClusterPropagationTests
{
    private readonly SimulatedTime _time = new(DateTimeOffset.UnixEpoch);
    private readonly Mock<IClusterNodes> _nodes = new();

    [Fact]
    public async Task A_registry_read_that_fails_after_the_commit_is_retried_not_thrown()
    {
        var confirmed = Node.Start("b", "b", 8082, 10809, "nbdkit", _time.GetUtcNow());
        confirmed.Apply(7);
        _nodes.SetupSequence(n => n.ReadAsync(It.IsAny<CancellationToken>()))
            .ThrowsAsync(new NpgsqlException("connection broken", new IOException("reset by peer")))
            .ReturnsAsync(new ClusterView([confirmed], 7, "a"));

        var unconfirmed = await Propagation().ConfirmAsync(7, CancellationToken.None);

        Assert.Empty(unconfirmed);
    }

    [Fact]
    public async Task A_registry_out_of_reach_until_the_timeout_leaves_every_node_unknown()
    {
        _nodes.Setup(n => n.ReadAsync(It.IsAny<CancellationToken>()))
            .ThrowsAsync(new NpgsqlException("connection refused", new IOException("refused")));

        var unconfirmed = await Propagation().ConfirmAsync(7, CancellationToken.None);

        Assert.Equal([ClusterPropagation.Unknown], unconfirmed);
    }

    private ClusterPropagation Propagation() =>
        new(new NbdmuxOptions { DataDir = "/var/lib/nbdmux", Database = "postgresql://u:p@localhost:5432/nbdmux" }, _nodes.Object, new AppliedRevisions(), _time);
}
