using System.Net.Http.Json;
using System.Net.Sockets;

namespace Nbdmux.IntegrationTests;

/// <summary>
/// nbd-server's child keeps the listening socket open until its client has negotiated, so a
/// client that connects and never negotiates would keep every new listener from binding: new
/// export names would all fail with 503. nbdmux ends such a handshake, and only such.
/// </summary>
public sealed class StalledHandshakeTests
{
    [Fact]
    public async Task A_client_stalled_in_its_handshake_does_not_block_new_export_names_and_served_clients_keep_reading()
    {
        await using var daemon = await NbdmuxDaemon.StartAsync();
        var image = TestImage.Create(daemon.ImagesDir, "stall.img", seed: 81);
        await daemon.RegisterAsync("stall-served", image.Path);
        await using var served = await daemon.ConnectAsync("stall-served");

        using var stalled = new TcpClient();
        await stalled.ConnectAsync(daemon.NbdEndpoint);
        var greeting = new byte[18];
        await stalled.GetStream().ReadExactlyAsync(greeting);

        var response = await daemon.Http.PostAsJsonAsync("/exports", new { name = "stall-new", file = image.Path, @readonly = true });

        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{daemon.Output}");
        await using var newClient = await daemon.ConnectAsync("stall-new");
        await LoggedAsync(daemon, "has been negotiating for over 250 ms");
        Assert.True(TestImage.IsSectorOf(81, 5, await served.ReadAsync(5 * TestImage.SectorSize, TestImage.SectorSize, default)));
        Assert.Equal(0, await stalled.GetStream().ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
    }

    /// <summary>The console logger writes on its own thread: a line may follow the response by a moment.</summary>
    private static async Task LoggedAsync(NbdmuxDaemon daemon, string text)
    {
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        while (!daemon.Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(5), $"nbdmux did not log \"{text}\":\n{daemon.Output}");
            await Task.Delay(5);
        }
    }
}
