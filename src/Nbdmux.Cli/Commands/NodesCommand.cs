using System.CommandLine;
using System.Text.Json;

namespace Nbdmux.Cli.Commands;

public static class NodesCommand
{
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        var command = new Command("nodes", "list the nodes sharing the daemon's registry: NAME STATUS NBD API BACKEND EXPORTS CLIENTS LAG HEARTBEAT");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = globals.CreateClient(parseResult);
            var nodes = await client.ListNodesAsync(cancellationToken);
            if (parseResult.GetValue(globals.Json))
            {
                await console.Out.WriteLineAsync(JsonSerializer.Serialize(nodes, CliJsonContext.Default.IReadOnlyListNbdmuxNode));
            }
            else
            {
                NodeTable.Write(console.Out, nodes);
            }

            return NbdmuxCli.Success;
        });
        return command;
    }
}
