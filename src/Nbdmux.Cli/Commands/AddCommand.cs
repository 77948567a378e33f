using System.CommandLine;
using System.Text.Json;

namespace Nbdmux.Cli.Commands;

public static class AddCommand
{
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "export name NBD clients ask for (nbd-client -N NAME)" };
        var file = new Argument<string>("FILE") { Description = "raw disk image on the daemon's host; a relative path is taken from the current directory" };
        var readWrite = new Option<bool>("--rw") { Description = "let clients write to the image (default: read-only)" };
        var command = new Command("add", "serve FILE as NAME, replacing any export of that name") { name, file, readWrite };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = globals.CreateClient(parseResult);
            var result = await client.AddExportAsync(
                parseResult.GetRequiredValue(name),
                Path.GetFullPath(parseResult.GetRequiredValue(file)),
                readOnly: !parseResult.GetValue(readWrite),
                cancellationToken);
            var export = result.Export;
            await console.Out.WriteLineAsync(parseResult.GetValue(globals.Json)
                ? JsonSerializer.Serialize(export, CliJsonContext.Default.NbdmuxExport)
                : $"{(result.Created ? "added" : "replaced")} {export.Name}: {export.File} ({ExportTable.Mode(export.Readonly)}, {ByteSize.Format(export.SizeBytes)}, {export.Status})");
            return NbdmuxCli.Success;
        });
        return command;
    }
}
