using System.Net;
using System.Net.Http.Json;
using Nbdmux.Nbd;

namespace Nbdmux.IntegrationTests.Security;

/// <summary>
/// Hostile names and allow entries against the real daemon: each is refused with 400, changes
/// nothing, and never disturbs the server or its other clients: no input widens access.
/// </summary>
public sealed class InputSafetyTests(BackendDaemons daemons) : IClassFixture<BackendDaemons>
{
    public static TheoryData<string, string, string?> HostileInputs()
    {
        (string Case, string Name, string? Allow)[] inputs =
        [
            ("name with a final newline", "lab\n", null),
            ("name with a line separator", "lab\u2028x", null),
            ("name that is a section header", "[generic]", null),
            ("scope id carrying a newline and a catch-all", "lab", "fe80::1%\n0.0.0.0/0"),
            ("entry longer than any address", "lab", "10.0.0.1/32" + new string(' ', 300)),
            ("host bits set", "lab", "10.1.2.3/16"),
        ];
        var cases = new TheoryData<string, string, string?>();
        foreach (var backend in new[] { Backends.Nbdkit, Backends.NbdServer })
        {
            foreach (var (_, name, allow) in inputs)
            {
                cases.Add(backend, name, allow);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(HostileInputs))]
    public async Task A_hostile_name_or_allow_entry_is_refused_and_disturbs_no_client(string backend, string name, string? allow)
    {
        var daemon = await daemons.For(backend);
        var image = TestImage.Create(daemon.ImagesDir, "bystander.img", seed: 0x51);
        await daemon.RegisterAsync("bystander", image.Path);
        await using var booted = await daemon.ConnectAsync("bystander");
        var server = daemon.NbdServerPid();

        var response = await daemon.Http.PostAsJsonAsync("/exports", new { name, file = image.Path, allow = allow is null ? null : new[] { allow } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(server, daemon.NbdServerPid());
        Assert.True(TestImage.IsSectorOf(0x51, 4, await booted.ReadAsync(4 * TestImage.SectorSize, TestImage.SectorSize, default)));
        await using var next = await daemon.ConnectAsync("bystander");
        var exports = await daemon.Http.GetStringAsync("/exports");
        Assert.DoesNotContain("\"lab", exports);
        Assert.True((await Assert.ThrowsAsync<NbdNegotiationException>(() => daemon.ConnectAsync("lab"))).IsUnknownExport);
    }
}
