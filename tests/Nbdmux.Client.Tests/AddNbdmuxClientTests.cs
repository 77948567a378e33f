using Microsoft.Extensions.DependencyInjection;

namespace Nbdmux.Client.Tests;

public sealed class AddNbdmuxClientTests
{
    [Fact]
    public async Task The_typed_client_uses_the_configured_server_and_password()
    {
        await using var server = await FakeServer.RequiringPasswordAsync("s3cret", context => FakeServer.JsonAsync(context, "[]"));
        var services = new ServiceCollection();
        services.AddNbdmuxClient(options =>
        {
            options.BaseAddress = server.Address;
            options.Password = "s3cret";
        });
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<NbdmuxClient>();

        Assert.Empty(await client.ListExportsAsync());
        Assert.Equal("Bearer s3cret", server.Requests.Single().Authorization);
    }
}
