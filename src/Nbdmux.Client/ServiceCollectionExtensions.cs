using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Nbdmux.Client;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="NbdmuxClient"/> as a typed client of IHttpClientFactory. The returned
    /// builder can add handlers; timeouts and retries are the client's own (see <see cref="NbdmuxClientOptions"/>).
    /// </summary>
    public static IHttpClientBuilder AddNbdmuxClient(this IServiceCollection services, Action<NbdmuxClientOptions> configure)
    {
        services.AddOptions<NbdmuxClientOptions>().Configure(configure);
        var client = services.AddHttpClient(nameof(NbdmuxClient));
        client.AddTypedClient((http, provider) => new NbdmuxClient(http, provider.GetRequiredService<IOptions<NbdmuxClientOptions>>().Value));
        return client;
    }
}
