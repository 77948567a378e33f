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
    await app.RunAsync();
    return 0;
}
catch (StartupException e)
{
    Console.Error.WriteLine($"nbdmux: {e.Message}");
    return 1;
}
