using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Nbdmux.Application.Common;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.DataPlane;
using Nbdmux.Infrastructure.Files;
using Nbdmux.Infrastructure.NbdServer;
using Nbdmux.Testing;

namespace Nbdmux.UnitTests.Infrastructure.DataPlane;

/// <summary>The supervisor's state machine, driven through a scripted backend and probe on a fake clock.</summary>
public sealed class NbdServerSupervisorTests : IAsyncLifetime
{
    private readonly FakeBackend _backend = new();
    private readonly FakeProbe _probe = new();
    private readonly FakeTimeProvider _time = new();
    private readonly List<Export> _registered = [];
    private readonly Mock<IAuditLog> _audit = new();
    private readonly Mock<IImageFiles> _images = new();
    private NbdServerSupervisor _supervisor = null!;

    public NbdServerSupervisorTests()
    {
        // Every published export negotiates; the placeholder is refused like a real server refuses it.
        _probe.Answer = name => _backend.Published.ContainsKey(name) ? ProbeOutcome.Served : ProbeOutcome.Unknown;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _supervisor.StopAsync(CancellationToken.None);
        _backend.Dispose();
    }

    [Fact]
    public async Task Start_publishes_every_registered_export_and_launches_one_server()
    {
        Register("a");
        Register("b");

        await StartAsync();

        Assert.Equal(["a", "b"], _backend.Published.Keys.Order());
        Assert.Equal(1, _backend.Launches);
        Assert.Equal(NbdServerState.Running, _supervisor.Status.State);
        Assert.Equal(_backend.Current!.Pid, _supervisor.Status.Pid);
    }

    [Fact]
    public async Task A_change_the_server_takes_live_is_proven_without_a_restart()
    {
        await StartAsync();

        await _supervisor.PublishAsync(Served("new"), CancellationToken.None);

        Assert.Equal(1, _backend.Launches);
        Assert.Empty(_backend.Stops);
        Assert.Contains("new", _probe.Asked);
    }

    [Fact]
    public async Task A_change_the_server_cannot_take_live_restarts_it_before_the_answer()
    {
        await StartAsync();
        var first = _backend.Current!.Pid;
        _backend.EffectOf = export => export.Name == "new" ? PublishEffect.NeedsRestart : PublishEffect.Live;

        await _supervisor.PublishAsync(Served("new"), CancellationToken.None);

        Assert.Equal(2, _backend.Launches);
        Assert.Equal([StopReason.Restart], _backend.Stops);
        Assert.NotEqual(first, _supervisor.Status.Pid);
        Assert.Equal(0, _supervisor.Status.RestartCount); // planned, not a failure
    }

    [Fact]
    public async Task A_failed_publish_restores_the_previous_state_and_says_why()
    {
        Register("kept", "/images/old.img");
        await StartAsync();
        _backend.EffectOf = _ => PublishEffect.NeedsRestart;
        _backend.LaunchFailure = new NbdServerStartException("port taken");

        var error = await Assert.ThrowsAsync<NbdServerUnavailableException>(
            () => _supervisor.PublishAsync(Served("kept", "/images/new.img"), CancellationToken.None));

        Assert.Contains("port taken", error.Message);
        Assert.Equal("/images/old.img", _backend.Published["kept"].FilePath);
        Assert.Equal(NbdServerState.Restarting, _supervisor.Status.State);
    }

    [Fact]
    public async Task A_failed_publish_of_a_new_name_withdraws_it()
    {
        await StartAsync();
        _probe.Answer = _ => ProbeOutcome.Unreachable;
        _backend.EffectOf = _ => PublishEffect.NeedsRestart;
        _backend.LaunchFailure = new NbdServerStartException("exited at once");

        await Assert.ThrowsAsync<NbdServerUnavailableException>(() => _supervisor.PublishAsync(Served("fresh"), CancellationToken.None));

        Assert.DoesNotContain("fresh", _backend.Published.Keys);
    }

    [Fact]
    public async Task Withdrawn_exports_are_proven_gone()
    {
        Register("gone");
        await StartAsync();

        await _supervisor.WithdrawAsync("gone", CancellationToken.None);

        Assert.DoesNotContain("gone", _backend.Published.Keys);
        Assert.Equal("gone", _probe.Asked.Last());
    }

    [Fact]
    public async Task A_crashed_server_is_restarted_and_the_restart_counted()
    {
        await StartAsync();
        var crashed = _backend.Current!;

        _backend.Crash(crashed);

        await TickUntilAsync(() => _supervisor.Status is { State: NbdServerState.Running, RestartCount: 1 });
        Assert.NotEqual(crashed.Pid, _supervisor.Status.Pid);
        Assert.Contains("killed", _supervisor.Status.LastError);
    }

    [Fact]
    public async Task A_server_that_stops_answering_handshakes_is_restarted()
    {
        await StartAsync();
        var hung = _backend.Current!;
        _probe.Answer = _ => ProbeOutcome.Unreachable;

        await TickUntilAsync(() => _backend.Stops.Count == 1 && _backend.Launches >= 2, step: TimeSpan.FromMilliseconds(500));
        _probe.Answer = name => _backend.Published.ContainsKey(name) ? ProbeOutcome.Served : ProbeOutcome.Unknown;

        await TickUntilAsync(() => _supervisor.Status is { State: NbdServerState.Running, RestartCount: 1 });
        Assert.NotEqual(hung.Pid, _supervisor.Status.Pid);
        Assert.Contains("stopped answering", _supervisor.Status.LastError);
    }

    [Fact]
    public async Task Repeated_restart_failures_leave_it_down_until_one_succeeds()
    {
        await StartAsync();
        _backend.LaunchFailure = new NbdServerStartException("binary gone");

        _backend.Crash(_backend.Current!);

        await TickUntilAsync(() => _supervisor.Status.State == NbdServerState.Down && _backend.Launches >= 3);
        Assert.Equal("binary gone", _supervisor.Status.LastError);
        await Assert.ThrowsAsync<NbdServerUnavailableException>(() => _supervisor.PublishAsync(Served("x"), CancellationToken.None));

        _backend.LaunchFailure = null;
        await TickUntilAsync(() => _supervisor.Status.State == NbdServerState.Running, step: TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task An_export_the_server_refused_to_serve_is_withheld_with_the_reason()
    {
        Register("swapped");
        await StartAsync();

        _backend.RefusedSinceLastPoll["swapped"] = "its file was replaced";

        await TickUntilAsync(() => _supervisor.Status.WithheldReason("swapped") is not null);
        Assert.Equal("its file was replaced", _supervisor.Status.WithheldReason("swapped"));
        Assert.DoesNotContain("swapped", _backend.Published.Keys);
        await TickUntilAsync(() => _audit.Invocations.Any(call =>
            call.Arguments[0] is Nbdmux.Domain.Audit.AuditEvent { Action: Nbdmux.Domain.Audit.AuditAction.Withhold, ExportName: "swapped", Reason: "its file was replaced" }));

        await _supervisor.PublishAsync(Served("swapped"), CancellationToken.None);
        Assert.Null(_supervisor.Status.WithheldReason("swapped"));
    }

    [Fact]
    public async Task A_registered_export_whose_file_fails_its_checks_at_start_is_withheld()
    {
        Register("fine");
        Register("moved");
        _images.Setup(i => i.ProblemServing(It.Is<ServedExport>(e => e.Name == "moved"))).Returns("it is no longer the registered file");

        await StartAsync();

        Assert.Equal(["fine"], _backend.Published.Keys);
        Assert.Equal("it is no longer the registered file", _supervisor.Status.WithheldReason("moved"));
    }

    [Fact]
    public async Task A_served_file_replaced_after_registration_stops_being_served_within_a_second()
    {
        Register("replaced");
        await StartAsync();

        _images.Setup(i => i.ChangeSinceRegistration(It.Is<ServedExport>(e => e.Name == "replaced"))).Returns("it was replaced");

        await TickUntilAsync(() => _supervisor.Status.WithheldReason("replaced") is not null, step: TimeSpan.FromMilliseconds(100));
        Assert.DoesNotContain("replaced", _backend.Published.Keys);
        Assert.Equal(NbdServerState.Running, _supervisor.Status.State);
    }

    [Fact]
    public async Task Changes_go_through_while_the_served_files_are_looked_at()
    {
        Register("looked-at");
        await StartAsync();
        bool? publishedDuringTheLook = null;
        _images.Setup(i => i.ChangeSinceRegistration(It.Is<ServedExport>(e => e.Name == "looked-at")))
            .Returns(() =>
            {
                publishedDuringTheLook ??= Task.Run(() => _supervisor.PublishAsync(Served("other"), CancellationToken.None)).Wait(TimeSpan.FromSeconds(5));
                return null;
            });

        await TickUntilAsync(() => publishedDuringTheLook is not null, step: TimeSpan.FromMilliseconds(100));

        Assert.True(publishedDuringTheLook);
        Assert.Contains("other", _backend.Published.Keys);
    }

    [Fact]
    public async Task A_file_found_changed_is_not_withheld_when_its_export_was_published_anew_meanwhile()
    {
        Register("moving");
        await StartAsync();
        _images.Setup(i => i.ChangeSinceRegistration(It.Is<ServedExport>(e => e.Name == "moving" && e.FilePath == "/images/disk.img")))
            .Returns(() =>
            {
                Task.Run(() => _supervisor.PublishAsync(Served("moving", "/images/new.img"), CancellationToken.None)).Wait(TimeSpan.FromSeconds(5));
                return "it was replaced";
            });

        await TickUntilAsync(() => _backend.Published["moving"].FilePath == "/images/new.img", step: TimeSpan.FromMilliseconds(100));
        await TickUntilAsync(() => _images.Invocations.Count(call => call.Method.Name == nameof(IImageFiles.ChangeSinceRegistration)) >= 2, step: TimeSpan.FromMilliseconds(500));

        Assert.Null(_supervisor.Status.WithheldReason("moving"));
        Assert.Equal("/images/new.img", _backend.Published["moving"].FilePath);
    }

    private void Register(string name, string file = "/images/disk.img") =>
        _registered.Add(Export.Register(name, new ImageFile(file, 4096, Identity), ExportAccess.ReadOnlyForEveryone, DateTimeOffset.UnixEpoch));

    private static readonly FileIdentity Identity = new(1, 2);

    private static ServedExport Served(string name, string file = "/images/disk.img") => new(name, file, Identity, ExportAccess.ReadOnlyForEveryone);

    private async Task StartAsync()
    {
        var store = new Mock<IExportStore>();
        store.Setup(s => s.ListAsync(It.IsAny<CancellationToken>())).ReturnsAsync(_registered);
        var scopes = new ServiceCollection().AddSingleton(store.Object).BuildServiceProvider().GetRequiredService<IServiceScopeFactory>();
        var options = new NbdmuxOptions { Bind = "127.0.0.1", NbdPort = LoopbackPorts.Free() };
        _supervisor = new NbdServerSupervisor(
            _backend, _probe, new StartupRecovery(scopes, _images.Object, NullLogger<StartupRecovery>.Instance), _audit.Object,
            new ServedFileAudit(_images.Object, _time, NullLogger<ServedFileAudit>.Instance), options, _time,
            NullLogger<NbdServerSupervisor>.Instance);
        await _supervisor.StartAsync(CancellationToken.None);
    }

    /// <summary>Advances the fake clock a step at a time (the watchdog ticks on it) until the condition holds.</summary>
    private async Task TickUntilAsync(Func<bool> condition, TimeSpan? step = null)
    {
        for (var i = 0; i < 400 && !condition(); i++)
        {
            _time.Advance(step ?? TimeSpan.FromMilliseconds(20));
            await Task.Delay(5);
        }

        Assert.True(condition(), "the supervisor did not get there");
    }
}
