using System.Net;
using System.Net.Http.Json;

namespace Nbdmux.IntegrationTests;

/// <summary>
/// Reconfigures nbdmux's export set in a loop through its HTTP API, as provisioning automation
/// would while guests boot: each round points a neighbouring export at its other file (no
/// restart, so the first change lands at once), switches the neighbour's mode every other round
/// (a listener restart), adds a new export (another restart) and removes it again.
/// </summary>
public sealed class ExportChurn(NbdmuxDaemon daemon, string prefix)
{
    private readonly TestImage[] _neighbourFiles =
    [
        TestImage.Create(daemon.ImagesDir, $"{prefix}-neighbour-a.img", seed: 71),
        TestImage.Create(daemon.ImagesDir, $"{prefix}-neighbour-b.img", seed: 72),
    ];
    private readonly TestImage _newcomerFile = TestImage.Create(daemon.ImagesDir, $"{prefix}-new.img", seed: 73);

    public string Neighbour => $"{prefix}-neighbour";

    /// <summary>The neighbour's file and mode as last acknowledged by the API.</summary>
    public TestImage NeighbourFile { get; private set; } = null!;
    public bool NeighbourReadOnly { get; private set; }

    /// <summary>Changes the API acknowledged (2xx).</summary>
    public int Changes { get; private set; }

    /// <summary>Changes refused with 503 while nbd-server was down; the API promises nothing changed.</summary>
    public int Refusals { get; private set; }

    public async Task RegisterNeighbourAsync()
    {
        await daemon.RegisterAsync(Neighbour, _neighbourFiles[0].Path, readOnly: true);
        (NeighbourFile, NeighbourReadOnly) = (_neighbourFiles[0], true);
    }

    public async Task RunAsync(CancellationToken stop)
    {
        for (var round = 1; !stop.IsCancellationRequested; round++)
        {
            var file = _neighbourFiles[round % 2];
            var readOnly = round / 2 % 2 == 0;
            if (await TryRegisterAsync(Neighbour, file, readOnly))
            {
                (NeighbourFile, NeighbourReadOnly) = (file, readOnly);
            }

            var newcomer = $"{prefix}-new-{round}";
            if (await TryRegisterAsync(newcomer, _newcomerFile, readOnly: true))
            {
                await daemon.RemoveAsync(newcomer);
                Changes++;
            }
        }
    }

    private async Task<bool> TryRegisterAsync(string name, TestImage file, bool readOnly)
    {
        var response = await daemon.Http.PostAsJsonAsync("/exports", new { name, file = file.Path, @readonly = readOnly });
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            Refusals++;
            await Task.Delay(20); // nbd-server is being restarted by the supervisor
            return false;
        }

        Assert.True(response.IsSuccessStatusCode, $"POST {name} -> {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Changes++;
        return true;
    }
}
