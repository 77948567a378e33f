using System.CommandLine;
using System.Text.Json;

namespace Nbdmux.Cli.Commands;

public static class RemoveCommand
{
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "export to stop serving to new clients" };
        var force = new Option<bool>("--force") { Description = "remove it even while clients are connected (they are disconnected)" };
        var command = new Command("rm", "remove an export (not an error if it does not exist)") { name, force };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = globals.CreateClient(parseResult);
            var exportName = parseResult.GetRequiredValue(name);
            var removed = await client.RemoveExportAsync(exportName, parseResult.GetValue(force), cancellationToken);
            await console.Out.WriteLineAsync(parseResult.GetValue(globals.Json)
                ? JsonSerializer.Serialize(new RemoveOutcome(exportName, removed), CliJsonContext.Default.RemoveOutcome)
                : removed ? $"removed {exportName}" : $"{exportName} was not registered; nothing to remove");
            return NbdmuxCli.Success;
        });
        return command;
    }
}
