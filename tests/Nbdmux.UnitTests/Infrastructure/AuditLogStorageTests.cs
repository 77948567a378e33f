using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Audit;
using Nbdmux.Infrastructure.Persistence;

namespace Nbdmux.UnitTests.Infrastructure;

/// <summary>The audit log's columns hold the same words whether the values are strings or enums in code.</summary>
public sealed class AuditLogStorageTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nbdmux-audit-").FullName;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _services = new ServiceCollection()
            .AddDbContext<NbdmuxDbContext>(options => options.UseSqlite($"Data Source={Path.Combine(_directory, "nbdmux.db")}"))
            .BuildServiceProvider();
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<NbdmuxDbContext>().Database.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_row_written_as_words_is_read_and_filtered_as_its_enums()
    {
        await ExecuteAsync(
            "INSERT INTO audit_events (at, action, export, actor_address, authentication, forced, disconnected, outcome, status, reason) " +
            "VALUES ('2026-11-30 10:00:00+00:00', 'warm_ready', 'node1', NULL, 'system', 0, '', 'ok', NULL, NULL), " +
            "('2026-11-30 10:01:00+00:00', 'login', NULL, '10.0.0.9', 'none', 0, '', 'refused', 401, 'That is not the admin password.')");
        var log = new AuditLog(_services.GetRequiredService<IServiceScopeFactory>());

        var (refused, total) = await log.ListAsync(new AuditFilter(null, AuditAction.Login, AuditOutcome.Refused), 0, 10, default);
        var (ready, _) = await log.ListAsync(new AuditFilter(null, AuditAction.WarmReady, null), 0, 10, default);

        var login = Assert.Single(refused);
        Assert.Equal((1, AuditAuthentication.None, 401), (total, login.Authentication, login.Status));
        Assert.Equal((AuditOutcome.Ok, AuditAuthentication.System, "node1"), (Assert.Single(ready).Outcome, ready[0].Authentication, ready[0].ExportName));
    }

    [Fact]
    public async Task A_record_is_written_as_the_words_the_log_has_always_held()
    {
        var log = new AuditLog(_services.GetRequiredService<IServiceScopeFactory>());
        await log.RecordAsync(AuditEvent.Record(DateTimeOffset.UnixEpoch, AuditAction.WarmCancelled, "node1",
            new AuditEvent.Actor("10.0.0.9", AuditAuthentication.Bearer), AuditEvent.ChangeRecord.None,
            new AuditEvent.Result(AuditOutcome.Failed, 500, "boom")), default);

        Assert.Equal(["warm_cancelled", "bearer", "failed"], await ReadRowAsync("SELECT action, authentication, outcome FROM audit_events"));
    }

    /// <summary>Enums stored as their words change no column: the migrations still describe the model.</summary>
    [Fact]
    public async Task The_model_needs_no_migration_beyond_the_ones_there_are()
    {
        await using var scope = _services.CreateAsyncScope();

        Assert.False(scope.ServiceProvider.GetRequiredService<NbdmuxDbContext>().Database.HasPendingModelChanges());
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<NbdmuxDbContext>().Database.ExecuteSqlRawAsync(sql);
    }

    private async Task<List<string>> ReadRowAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "nbdmux.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToList();
    }
}
