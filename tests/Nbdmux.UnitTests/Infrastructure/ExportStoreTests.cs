using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Moq;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Application.Common.Cluster;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Audit;
using Nbdmux.Domain.Exports;
using Nbdmux.Domain.Nodes;
using Nbdmux.Infrastructure.Cluster;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Persistence;
using Nbdmux.Testing;

namespace Nbdmux.UnitTests.Infrastructure;

/// <summary>The registry on a real database of each kind, each store on a context of its own as each request has.</summary>
public abstract class ExportStoreTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nbdmux-store-").FullName;
    private readonly CommittedExports _committed = new();
    private readonly List<NbdmuxDbContext> _contexts = [];
    private RegistryDatabase? _database;

    public sealed class OnSqlite : ExportStoreTests
    {
        protected override Task<string> DatabaseUrlAsync(string directory) => Task.FromResult($"sqlite:{Path.Combine(directory, "nbdmux.db")}");
    }

    public sealed class OnPostgreSql : ExportStoreTests
    {
        protected override Task<string> DatabaseUrlAsync(string directory) => Task.FromResult(PostgreSqlServer.Shared.CreateDatabase());
    }

    protected abstract Task<string> DatabaseUrlAsync(string directory);

    public async Task InitializeAsync()
    {
        _database = RegistryDatabase.Parse(await DatabaseUrlAsync(_directory), _directory);
        await Context().Database.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void The_migrations_build_the_model_the_code_has() => Assert.False(Context().Database.HasPendingModelChanges());

    [Fact]
    public async Task A_change_waits_for_the_one_under_way_and_then_sees_what_it_committed()
    {
        var first = Store();
        await using (var change = await first.BeginChangeAsync(default))
        {
            var second = Task.Run(async () =>
            {
                var store = Store();
                await using var next = await store.BeginChangeAsync(default);
                return await store.FindAsync("node1", default);
            });
            Assert.NotSame(second, await Task.WhenAny(second, Task.Delay(TimeSpan.FromMilliseconds(300))));
            first.Add(NewExport("node1"));
            await change.CommitAsync(() => Task.CompletedTask, () => Task.CompletedTask, default);
            Assert.NotNull(await second);
        }
    }

    [Fact]
    public async Task The_listing_is_kept_until_a_change_commits_and_then_shows_it()
    {
        var before = await Store().ListAsync(default);
        Assert.Same(before, await Store().ListAsync(default));

        var store = Store();
        await using (var change = await store.BeginChangeAsync(default))
        {
            store.Add(NewExport("node1"));
            await change.CommitAsync(() => Task.CompletedTask, () => Task.CompletedTask, default);
        }

        Assert.Equal(["node1"], (await Store().ListAsync(default)).Select(e => e.Name));
    }

    [Fact]
    public async Task A_change_that_does_not_go_live_is_never_listed_though_a_listing_inside_it_saw_its_rows()
    {
        var store = Store();
        await using (var change = await store.BeginChangeAsync(default))
        {
            store.Add(NewExport("node1"));
            await Assert.ThrowsAsync<IOException>(() => change.CommitAsync(async () =>
            {
                Assert.Equal(["node1"], (await store.ListAsync(default)).Select(e => e.Name));
                throw new IOException("nbd-server could not serve it");
            }, () => Task.CompletedTask, default));
        }

        Assert.Empty(await Store().ListAsync(default));
    }

    [Fact]
    public async Task The_file_identity_round_trips_every_bit_and_rows_from_before_it_have_none()
    {
        var identity = new FileIdentity(ulong.MaxValue, (1UL << 63) + 5);
        var store = Store();
        await using (var change = await store.BeginChangeAsync(default))
        {
            store.Add(Export.Register("node1", new ImageFile("/images/node1.img", 512, identity), ExportAccess.ReadOnlyForEveryone, DateTimeOffset.UnixEpoch));
            store.Add(NewExport("old"));
            await change.CommitAsync(() => Task.CompletedTask, () => Task.CompletedTask, default);
        }

        await Context().Database.ExecuteSqlRawAsync("UPDATE exports SET file_device = NULL, file_inode = NULL WHERE name = 'old'");

        Assert.Equal(identity, (await Store().FindAsync("node1", default))!.FileIdentity);
        Assert.Null((await Store().FindAsync("old", default))!.FileIdentity);
    }

    [Fact]
    public async Task The_record_of_a_change_is_committed_with_it_and_only_when_it_went_live()
    {
        foreach (var goesLive in new[] { true, false })
        {
            var audited = new AuditedChange();
            audited.RecordOnSuccess(() => AuditEvent.Record(
                DateTimeOffset.UnixEpoch, AuditAction.Register, $"live-{goesLive}", AuditEvent.Actor.Nbdmux, AuditEvent.ChangeRecord.None, AuditEvent.Result.Done));
            var store = Store(audited);
            await using var change = await store.BeginChangeAsync(default);
            store.Add(NewExport($"live-{goesLive}"));
            await Record.ExceptionAsync(() => change.CommitAsync(
                () => goesLive ? Task.CompletedTask : throw new IOException("not served"), () => Task.CompletedTask, default));

            Assert.Equal(goesLive, audited.RecordedWithChange);
        }

        Assert.Equal(["live-True"], await Context().AuditEvents.Select(e => e.ExportName).ToListAsync());
    }

    [Fact]
    public async Task A_sharer_of_a_file_is_found_by_its_path_or_by_its_identity()
    {
        await RegisterAsync(
            Export.Register("by-path", new ImageFile("/images/a.img", 512, new FileIdentity(1, 10)), ExportAccess.ReadOnlyForEveryone, DateTimeOffset.UnixEpoch),
            Export.Register("by-link", new ImageFile("/images/link.img", 512, new FileIdentity(ulong.MaxValue, 20)), ExportAccess.ReadOnlyForEveryone, DateTimeOffset.UnixEpoch),
            Export.Register("other", new ImageFile("/images/b.img", 512, new FileIdentity(1, 30)), ExportAccess.ReadOnlyForEveryone, DateTimeOffset.UnixEpoch));

        Assert.Equal(new ImageSharer("by-link", false), await Store().SharerAsync("/images/a.img", new FileIdentity(ulong.MaxValue, 20), "new", onlyWriters: false, default));
        Assert.Equal(new ImageSharer("by-path", false), await Store().SharerAsync("/images/a.img", null, "new", onlyWriters: false, default));
        Assert.Null(await Store().SharerAsync("/images/a.img", null, "by-path", onlyWriters: false, default));
        Assert.Null(await Store().SharerAsync("/images/c.img", null, "new", onlyWriters: false, default));
    }

    [Fact]
    public async Task Only_a_writer_is_a_sharer_when_only_writers_are_asked_for()
    {
        var writable = new ExportAccess(readOnly: false);
        var copyOnWrite = new ExportAccess(readOnly: false, copyOnWrite: true);
        await RegisterAsync(
            Export.Register("a-reader", new ImageFile("/images/a.img", 512, new FileIdentity(1, 10)), ExportAccess.ReadOnlyForEveryone, DateTimeOffset.UnixEpoch),
            Export.Register("b-cow", new ImageFile("/images/a.img", 512, new FileIdentity(1, 10)), copyOnWrite, DateTimeOffset.UnixEpoch),
            Export.Register("c-writer", new ImageFile("/images/a.img", 512, new FileIdentity(1, 10)), writable, DateTimeOffset.UnixEpoch));

        Assert.Equal(new ImageSharer("c-writer", true), await Store().SharerAsync("/images/a.img", null, "new", onlyWriters: true, default));
        Assert.Null(await Store().SharerAsync("/images/a.img", null, "c-writer", onlyWriters: true, default));
        Assert.Equal(new ImageSharer("a-reader", false), await Store().SharerAsync("/images/a.img", null, "c-writer", onlyWriters: false, default));
    }

    [Fact]
    public async Task A_forced_change_orders_the_other_nodes_of_a_shared_registry_to_cut_their_clients_in_its_own_revision()
    {
        var store = Store();
        await using (var change = await store.BeginChangeAsync(default))
        {
            store.Add(Export.Register("forced", new ImageFile("/images/a.img", 512, new FileIdentity(1, 10)), ExportAccess.ReadOnlyForEveryone, DateTimeOffset.UnixEpoch));
            change.CutClients("forced");
            await change.CommitAsync(() => Task.CompletedTask, () => Task.CompletedTask, default);
        }

        var db = Context();
        var cuts = await db.ClientCuts.AsNoTracking().Select(c => new { c.Revision, c.Export, c.OrderedBy }).ToListAsync();
        // A registry of one node has nobody to order.
        Assert.Equal(_database!.IsShared ? [new { Revision = await db.RevisionAsync(default), Export = "forced", OrderedBy = "node-a" }] : [], cuts);
    }

    [Fact]
    public async Task A_node_confirms_its_own_change_only_when_it_served_every_change_before_it()
    {
        var db = Context();
        db.Nodes.Add(Node.Start("node-a", "localhost", 8082, 10809, "nbdkit", DateTimeOffset.UnixEpoch));
        await db.SaveChangesAsync();
        var served = new ServedRevision();

        // Behind: a change another node made is not served here yet.
        await CommitWithAsync(served, "behind");
        var afterBehind = await db.RevisionAsync(default);
        Assert.Equal(_database!.IsShared ? 0 : afterBehind, await AppliedAsync());

        using (await served.EnterAsync(default))
        {
            served.Served(afterBehind);
        }

        await CommitWithAsync(served, "caught-up");
        var afterCaughtUp = await db.RevisionAsync(default);
        Assert.Equal(afterCaughtUp, await AppliedAsync());
        Assert.Equal(_database.IsShared ? afterCaughtUp : afterBehind, served.Applied);
    }

    private async Task CommitWithAsync(ServedRevision served, string name)
    {
        var store = Store(served: served);
        await using var change = await store.BeginChangeAsync(default);
        store.Add(Export.Register(name, new ImageFile($"/images/{name}.img", 512, new FileIdentity(2, (ulong)name.Length)), ExportAccess.ReadOnlyForEveryone, DateTimeOffset.UnixEpoch));
        await change.CommitAsync(() => Task.CompletedTask, () => Task.CompletedTask, default);
    }

    private async Task<long> AppliedAsync() =>
        (await Context().Nodes.AsNoTracking().SingleAsync(n => n.Name == "node-a")).AppliedRevision;

    private async Task RegisterAsync(params Export[] exports)
    {
        var store = Store();
        await using var change = await store.BeginChangeAsync(default);
        foreach (var export in exports)
        {
            store.Add(export);
        }

        await change.CommitAsync(() => Task.CompletedTask, () => Task.CompletedTask, default);
    }

    private ExportStore Store(AuditedChange? audited = null, ServedRevision? served = null) =>
        new(Context(), _committed, new DataDirSpace(new NbdmuxOptions { DataDir = _directory }), audited ?? new AuditedChange(),
            new AuditLog(Mock.Of<Microsoft.Extensions.DependencyInjection.IServiceScopeFactory>()), new LocalNode("node-a", "localhost", 8082, 10809), served ?? new ServedRevision(), new ChangePropagation(), TimeProvider.System);

    private NbdmuxDbContext Context()
    {
        var options = new DbContextOptionsBuilder<NbdmuxDbContext>();
        _database!.Configure(options);
        var context = new NbdmuxDbContext(options.Options);
        _contexts.Add(context);
        return context;
    }

    private static Export NewExport(string name) =>
        Export.Register(name, new ImageFile($"/images/{name}.img", 512, new FileIdentity(2049, 7)), ExportAccess.ReadOnlyForEveryone, DateTimeOffset.UnixEpoch);
}
