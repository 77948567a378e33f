using System.Diagnostics;
using Nbdmux.Nbd;

namespace Nbdmux.Bench;

/// <summary>
/// nbdmux nodes sharing one PostgreSQL registry (docs/scale-out.md), all on nbdkit and on this
/// machine: ports and data dirs of their own, the run's image root shared. First one node on a
/// database of its own, for what registrations cost on PostgreSQL alone; then three nodes on
/// another: the same registrations through node A, then new names POSTed on A and timed until
/// node C negotiates them, each removed through node B.
/// </summary>
public sealed class ClusterPhase(
    BenchPlan plan, string apiDll, string workDir, string imagesDir, List<Figure> figures, List<string> observations, Action<string> progress)
{
    /// <summary>How long a node may refuse a name the POST's answer said every node serves, before the run fails.</summary>
    private static readonly TimeSpan NegotiationPatience = TimeSpan.FromSeconds(10);

    private const string RegistrationsNote =
        "measured once, on a fresh database (it builds the registry the later figures use): POST after POST, each on a new TCP connection that the client closes after the answer (as curl), " +
        "each sent when the previous was answered; PostgreSQL as the tests start it (a throwaway cluster on loopback, fsync off)";

    private int _names;
    private int _refusedNegotiations;

    /// <param name="image">A small image in the shared root.</param>
    /// <param name="sqliteRegistrationSeconds">1a on nbdkit, the same registrations through one node on SQLite, if this run measured it.</param>
    public async Task MeasureAsync(string image, double? sqliteRegistrationSeconds)
    {
        var postgreSql = PostgreSqlServer.Shared;
        progress($"cluster: PostgreSQL on port {postgreSql.Port}");

        RegistrationRun alone;
        await using (var node = Node("alone", postgreSql.CreateDatabase()))
        {
            await StartAsync(node, "alone");
            progress($"cluster: 9a, {plan.Exports} sequential registrations through one node on PostgreSQL");
            alone = await new SequentialRegistrations(node).RegisterAsync(plan.Exports, image);
            observations.Add($"9a, one node on PostgreSQL: {alone.Describe()}");
            observations.Add(node.DescribeRefusals("9a's node"));
        }

        var database = postgreSql.CreateDatabase();
        await using var a = Node("a", database);
        await using var b = Node("b", database);
        await using var c = Node("c", database);
        foreach (var (node, name) in new[] { (a, "a"), (b, "b"), (c, "c") })
        {
            await StartAsync(node, name);
        }

        progress($"cluster: 9b, {plan.Exports} sequential registrations through node A of 3");
        var three = await new SequentialRegistrations(a).RegisterAsync(plan.Exports, image);
        observations.Add($"9b, through node A of 3: {three.Describe()}");

        figures.Add(Figures.OneNodePostgreSqlRegistrations.Of(Daemon.Nbdkit, [alone.Total.TotalSeconds], RegistrationsNote));
        figures.Add(Figures.ClusterRegistrations.Of(Daemon.Nbdkit, [three.Total.TotalSeconds],
            RegistrationsNote + "; nodes B and C up, each POST answered once every node served it"));
        figures.Add(Figures.ClusterRegistrationsRatio.Of(Daemon.Nbdkit, [three.Total / alone.Total], "same run"));
        figures.Add(sqliteRegistrationSeconds is { } sqlite
            ? Figures.ClusterRegistrationsAgainstSqlite.Of(Daemon.Nbdkit, [three.Total.TotalSeconds / sqlite], "1a of nbdmux on nbdkit, measured earlier in the same run")
            : Figures.ClusterRegistrationsAgainstSqlite.Unmeasured(Daemon.Nbdkit, "1a not measured (--cluster-only)"));

        progress($"cluster: 9e-9h, changes through one node until live on another, {plan.Exports} exports");
        var (propagations, deletes) = (new List<List<double>>(), new List<List<double>>());
        for (var i = 0; i < plan.Repetitions; i++)
        {
            var (propagation, delete) = await PropagateAsync(a, b, c, image);
            propagations.Add(propagation);
            deletes.Add(delete);
        }

        var propagationNote = $"{plan.NewNameSamples} names never registered before per repetition, each POSTed on node A and negotiated (NBD_OPT_GO) on node C by a new client, " +
                              "again after any refusal (counted below), then DELETEd through node B";
        figures.Add(Figures.PropagationP50.Of(Daemon.Nbdkit, propagations.Select(s => Stats.Percentile(s, 50)), propagationNote));
        figures.Add(Figures.PropagationP99.Of(Daemon.Nbdkit, propagations.Select(s => Stats.Percentile(s, 99)), propagationNote));
        const string DeleteNote = "the DELETEs of 9e's names through node B, each sent once nodes A and C counted no client on it";
        figures.Add(Figures.ClusterDeleteP50.Of(Daemon.Nbdkit, deletes.Select(s => Stats.Percentile(s, 50)), DeleteNote));
        figures.Add(Figures.ClusterDeleteP99.Of(Daemon.Nbdkit, deletes.Select(s => Stats.Percentile(s, 99)), DeleteNote));
        observations.Add($"9e, 3 nodes: node C refused {_refusedNegotiations} negotiation(s) of a name node A had answered for, over {plan.Repetitions * plan.NewNameSamples} names " +
                         "(0: every answer came once node C served the name).");
        foreach (var (node, name) in new[] { (a, "A"), (b, "B"), (c, "C") })
        {
            observations.Add(node.DescribeRefusals($"Node {name} of 3"));
        }
    }

    private NbdmuxProcess Node(string name, string database) =>
        new(Daemon.Nbdkit, apiDll, Path.Combine(workDir, $"cluster-{name}-data"), imagesDir, Path.Combine(workDir, $"nbdmux-cluster-{name}.log"),
            "--database", database, "--node-name", name);

    private async Task StartAsync(NbdmuxProcess node, string name)
    {
        var startup = await node.StartAsync();
        progress($"cluster: node {name}: pid {node.Pid} healthy after {startup.TotalMilliseconds:F0} ms (HTTP {node.HttpPort}, NBD {node.NbdPort}); log: {node.LogPath}");
    }

    /// <summary>
    /// For each sample, a name no node has served: from sending the POST to node A until a new
    /// NBD client has completed NBD_OPT_GO for it on node C; then, once neither counts a client on
    /// it, its DELETE through node B until answered. The count of exports stays where it was.
    /// </summary>
    private async Task<(List<double> Propagation, List<double> Delete)> PropagateAsync(NbdmuxProcess a, NbdmuxProcess b, NbdmuxProcess c, string image)
    {
        var (propagation, deletes) = (new List<double>(), new List<double>());
        for (var i = 0; i < plan.NewNameSamples; i++)
        {
            var name = $"propagation-{++_names:D5}";
            var elapsed = Stopwatch.StartNew();
            await a.Api.RegisterAsync(name, image);
            await using (await NegotiateAsync(c, name))
            {
                elapsed.Stop();
            }

            propagation.Add(elapsed.Elapsed.TotalMilliseconds);
            await a.Api.WaitUntilUnusedAsync(name);
            await c.Api.WaitUntilUnusedAsync(name);
            deletes.Add(await b.Api.RemoveAsync(name));
        }

        return (propagation, deletes);
    }

    /// <summary>Negotiates the name on the node, again after each refusal: the figure is the time until it is served there, whatever the answer said.</summary>
    private async Task<NbdConnection> NegotiateAsync(NbdmuxProcess node, string name)
    {
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await NbdClient.ConnectAsync(node.NbdEndpoint, name, CancellationToken.None);
            }
            catch (NbdNegotiationException) when (elapsed.Elapsed < NegotiationPatience)
            {
                _refusedNegotiations++;
                await Task.Delay(1);
            }
        }
    }
}
