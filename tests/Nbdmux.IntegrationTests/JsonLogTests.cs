using System.Text.Json;

namespace Nbdmux.IntegrationTests;

/// <summary>--log-format json: what a log shipper reads from the real daemon's console.</summary>
public sealed class JsonLogTests
{
    [Fact]
    public async Task Every_console_line_is_one_json_event_including_the_supervisors()
    {
        await using var daemon = new NbdmuxDaemon();
        await daemon.LaunchAsync("--log-format", "json");
        await daemon.RegisterAsync("j1", TestImage.Create(daemon.ImagesDir, "j1.img", seed: 81).Path);
        await daemon.RemoveAsync("j1");
        await daemon.TerminateAsync();

        var events = daemon.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();

        Assert.All(events, e => Assert.True(e.TryGetProperty("Timestamp", out _) && e.TryGetProperty("LogLevel", out _)));
        var supervisor = events.Where(e => e.GetProperty("Category").GetString() == "Nbdmux.Infrastructure.DataPlane.NbdServerSupervisor").ToList();
        Assert.Contains(supervisor, e => e.GetProperty("State").GetProperty("{OriginalFormat}").GetString()!.Contains("listening"));
        Assert.Contains(supervisor, e => e.GetProperty("State").TryGetProperty("ExportName", out var name) && name.GetString() == "j1");
    }

    [Fact]
    public async Task An_unknown_log_format_stops_the_start_with_what_to_use()
    {
        await using var daemon = new NbdmuxDaemon();

        var (exitCode, output) = await daemon.RunExpectingFailureAsync("--log-format", "xml");

        Assert.Equal(1, exitCode);
        Assert.Contains("--log-format 'xml' must be text or json.", output);
    }
}
