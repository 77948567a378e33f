using System.Net;
using Moq;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Client.Tests;

/// <summary>The client against the real API over a real socket.</summary>
public sealed class NbdmuxClientTests : IDisposable
{
    private readonly LiveNbdmux _server = new();
    private readonly NbdmuxClient _client;

    public NbdmuxClientTests() => _client = new NbdmuxClient(_server.Address);

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task Add_list_get_and_remove_round_trip()
    {
        var first = _server.CreateImage("a.img", 1 << 20);
        var second = _server.CreateImage("b.img", 4096);

        var added = await _client.AddExportAsync("node1", first);
        var replaced = await _client.AddExportAsync("node1", second, readOnly: false);
        await _client.AddExportAsync("alpha", first);

        Assert.True(added.Created);
        Assert.Equal(("node1", first, true, "ready", 1L << 20), (added.Export.Name, added.Export.File, added.Export.Readonly, added.Export.Status, added.Export.SizeBytes));
        Assert.False(replaced.Created);
        Assert.Equal(["alpha", "node1"], (await _client.ListExportsAsync()).Select(export => export.Name));
        var fetched = await _client.GetExportAsync("node1");
        Assert.Equal((second, false, 4096L), (fetched.File, fetched.Readonly, fetched.SizeBytes));
        Assert.True(fetched.UpdatedAt >= fetched.CreatedAt);

        Assert.True(await _client.RemoveExportAsync("node1"));
        Assert.False(await _client.RemoveExportAsync("node1"));
        _server.NbdServer.Verify(n => n.WithdrawAsync("node1", It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Get_of_an_unknown_name_is_404_with_the_servers_message()
    {
        var refused = await Assert.ThrowsAsync<NbdmuxApiException>(() => _client.GetExportAsync("ghost"));

        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Contains("No export is named 'ghost'", refused.Message);
    }

    [Fact]
    public async Task Add_refused_by_validation_is_400_with_the_servers_message()
    {
        var refused = await Assert.ThrowsAsync<NbdmuxApiException>(() => _client.AddExportAsync("bad name", _server.CreateImage("a.img", 512)));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("name must be", refused.Message);
    }

    [Fact]
    public async Task Add_is_not_retried_when_nbd_server_is_unavailable()
    {
        _server.NbdServer.Setup(n => n.PublishAsync(It.IsAny<ServedExport>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new NbdServerUnavailableException("nbd-server is restarting"));

        var refused = await Assert.ThrowsAsync<NbdmuxApiException>(() => _client.AddExportAsync("node1", _server.CreateImage("a.img", 512)));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("nbd-server is restarting", refused.Message);
        _server.NbdServer.Verify(n => n.PublishAsync(It.IsAny<ServedExport>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Remove_is_retried_while_nbd_server_restarts()
    {
        await _client.AddExportAsync("node1", _server.CreateImage("a.img", 512));
        _server.NbdServer.SetupSequence(n => n.WithdrawAsync("node1", It.IsAny<CancellationToken>()))
            .ThrowsAsync(new NbdServerUnavailableException("nbd-server is restarting"))
            .Returns(Task.CompletedTask);

        Assert.True(await _client.RemoveExportAsync("node1"));
        _server.NbdServer.Verify(n => n.WithdrawAsync("node1", It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task Health_is_ok_when_nbd_server_answers()
    {
        Assert.Equal(new NbdmuxHealth(true, "ok"), await _client.GetHealthAsync());
    }

    [Fact]
    public async Task An_unhealthy_daemon_is_an_answer_with_its_reason_asked_once()
    {
        _server.NbdServer.SetupGet(n => n.Status).Returns(new NbdServerStatus(NbdServerState.Restarting, null, null, 2, "exited with 1"));

        var health = await _client.GetHealthAsync();

        Assert.Equal(new NbdmuxHealth(false, "nbd-server is restarting: exited with 1"), health);
        _server.NbdServer.VerifyGet(n => n.Status, Times.Once);
    }

    [Fact]
    public async Task Names_are_escaped_in_the_path()
    {
        var refused = await Assert.ThrowsAsync<NbdmuxApiException>(() => _client.GetExportAsync("a b?c#d"));

        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Contains("No export is named 'a b?c#d'", refused.Message);
    }

    [Fact]
    public async Task Cancelling_a_call_throws_operation_cancelled()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _client.ListExportsAsync(cancellation.Token));
    }
}
