using System.CommandLine;
using System.Text.Json;
using Nbdmux.Client;
using Nbdmux.Domain;

namespace Nbdmux.Cli.Commands;

public static class AddCommand
{
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "export name NBD clients ask for (nbd-client -N NAME)" };
        var file = new Argument<string>("FILE") { Description = "raw disk image on the daemon's host; a relative path is taken from the current directory" };
        var readWrite = new Option<bool>("--rw") { Description = "let clients write to the image (default: read-only)" };
        var copyOnWrite = new Option<bool>("--cow") { Description = "give every client its own private writable view; the image never changes" };
        var allow = new Option<string[]>("--allow") { Description = "address or CIDR network that may connect (repeat for more; default: everyone)" };
        var force = new Option<bool>("--force") { Description = "change the file even while clients are connected (they are disconnected)" };
        var command = new Command("add", "serve FILE as NAME, replacing any export of that name") { name, file, readWrite, copyOnWrite, allow, force };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var cow = parseResult.GetValue(copyOnWrite);
            if (cow && parseResult.GetValue(readWrite))
            {
                throw new CliUsageException("--rw and --cow cannot be combined: --cow already lets every client write, to a private overlay that leaves the image unchanged; --rw writes to the image itself. Pick one.");
            }

            using var client = globals.CreateClient(parseResult);
            var spec = new NbdmuxExportSpec(parseResult.GetRequiredValue(name), Path.GetFullPath(parseResult.GetRequiredValue(file)))
            {
                Readonly = cow ? null : !parseResult.GetValue(readWrite),
                CopyOnWrite = cow ? true : null,
                Allow = parseResult.GetValue(allow) is { Length: > 0 } addresses ? addresses : null,
            };
            var result = await client.AddExportAsync(spec, parseResult.GetValue(force), cancellationToken);
            var export = result.Export;
            await console.Out.WriteLineAsync(parseResult.GetValue(globals.Json)
                ? JsonSerializer.Serialize(export, CliJsonContext.Default.NbdmuxExport)
                : $"{(result.Created ? "added" : result.Changed ? "replaced" : "unchanged")} {export.Name}: {export.File} ({ExportTable.Mode(export)}, {ByteSize.Describe(export.SizeBytes)}, {export.Status})");
            return NbdmuxCli.Success;
        });
        return command;
    }
}
