using System.CommandLine;
using System.Text.Json;

namespace Nbdmux.Cli.Commands;

public static class ListCommand
{
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        var command = new Command("ls", "list exports: NAME FILE SIZE MODE CLIENTS STATUS");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = globals.CreateClient(parseResult);
            var exports = await client.ListExportsAsync(cancellationToken);
            if (parseResult.GetValue(globals.Json))
            {
                await console.Out.WriteLineAsync(JsonSerializer.Serialize(exports, CliJsonContext.Default.IReadOnlyListNbdmuxExport));
            }
            else
            {
                ExportTable.Write(console.Out, exports);
            }

            return NbdmuxCli.Success;
        });
        return command;
    }
}
