using System.CommandLine;
using System.Text.Json;

namespace Nbdmux.Cli.Commands;

public static class HealthCommand
{
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        var command = new Command("health", "check that nbd-server runs and answers; exit code 1 when it does not");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = globals.CreateClient(parseResult);
            var health = await client.GetHealthAsync(cancellationToken);
            if (parseResult.GetValue(globals.Json))
            {
                await console.Out.WriteLineAsync(JsonSerializer.Serialize(health, CliJsonContext.Default.NbdmuxHealth));
            }
            else if (health.IsHealthy)
            {
                await console.Out.WriteLineAsync(health.Status);
            }

            if (health.IsHealthy)
            {
                return NbdmuxCli.Success;
            }

            await console.Error.WriteLineAsync($"nbdmux: unhealthy: {health.Status}");
            return NbdmuxCli.Failure;
        });
        return command;
    }
}
