using Microsoft.Extensions.Options;
using Nbdmux.Api;
using Nbdmux.Api.Configuration;
using Nbdmux.Infrastructure.Configuration;

if (args.Contains("--help"))
{
    Console.Write(NbdmuxSettings.Usage);
    return 0;
}

try
{
    var app = NbdmuxApp.Build(args);
    var options = NbdmuxSettings.Bind(app.Configuration);
    var api = NbdmuxSettings.BindApi(app.Configuration);
    if ((NbdmuxSettings.Problem(options) ?? NbdmuxSettings.Problem(api)) is { } problem)
    {
        throw new StartupException(problem);
    }

    if (api.Port == options.NbdPort)
    {
        throw new StartupException($"--port and --nbd-port are both {api.Port}; they must differ.");
    }

    if (System.Net.IPAddress.TryParse(options.Bind, out var bind))
    {
        // Checked before anything starts, so a taken port does not leave nbd-server behind.
        PortCheck.EnsureFree(new System.Net.IPEndPoint(bind, api.Port), "--port");
    }

    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is StartupException or OptionsValidationException)
{
    Console.Error.WriteLine($"nbdmux: {e.Message}");
    return 1;
}

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
