using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Testing;

namespace Nbdmux.Api.Tests;

/// <summary>
/// A client that has just disconnected is listed until the server has noticed: a change asked
/// for in that moment waits it out, and only a client that stays makes it 409. The waiting runs
/// on <see cref="SimulatedTime"/>, so how busy the machine is cannot decide these tests.
/// </summary>
public sealed class DisconnectGraceTests : IDisposable
{
    private readonly NbdmuxApiFactory _factory = new();
    private readonly HttpClient _http;

    public DisconnectGraceTests() =>
        _http = _factory.WithWebHostBuilder(host => host.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(new SimulatedTime(DateTimeOffset.UtcNow))))
            .CreateClient();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Removing_right_after_the_last_client_left_succeeds()
    {
        await RegisterAsync("leaving", "leaving.img");
        ClientListedFor(looks: 3, "leaving");

        Assert.Equal(HttpStatusCode.NoContent, (await _http.DeleteAsync("/exports/leaving")).StatusCode);
    }

    [Fact]
    public async Task Changing_the_file_right_after_the_last_client_left_succeeds()
    {
        var file = await RegisterAsync("switching", "first.img");
        ClientListedFor(looks: 3, "switching");

        var response = await _http.PostAsJsonAsync("/exports", new { name = "switching", file = _factory.CreateImage("second.img", 8192), @readonly = true });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(file, (await response.Content.ReadFromJsonAsync<ExportJson>())!.File);
    }

    [Fact]
    public async Task A_client_that_stays_still_makes_a_removal_409()
    {
        await RegisterAsync("staying", "staying.img");
        _factory.NbdServer.Setup(n => n.Connections()).Returns([new ClientConnection("9", "staying", "10.0.0.9:4000", DateTimeOffset.UtcNow)]);

        Assert.Equal(HttpStatusCode.Conflict, (await _http.DeleteAsync("/exports/staying")).StatusCode);
    }

    private async Task<string> RegisterAsync(string name, string image)
    {
        var file = _factory.CreateImage(image, 4096);
        (await _http.PostAsJsonAsync("/exports", new { name, file, @readonly = true })).EnsureSuccessStatusCode();
        return file;
    }

    /// <summary>The client is listed for the next few looks, then its process has exited.</summary>
    private void ClientListedFor(int looks, string export)
    {
        var listed = new ClientConnection("7", export, "10.0.0.7:4000", DateTimeOffset.UtcNow);
        var remaining = looks;
        _factory.NbdServer.Setup(n => n.Connections()).Returns(() => remaining-- > 0 ? [listed] : []);
    }

    [Fact]
    public async Task A_client_listed_past_the_grace_makes_a_removal_409()
    {
        await RegisterAsync("lingering", "lingering.img");
        ClientListedFor(looks: 1000, "lingering");

        Assert.Equal(HttpStatusCode.Conflict, (await _http.DeleteAsync("/exports/lingering")).StatusCode);
    }

    private sealed record ExportJson(string Name, string File);

}
