using System.CommandLine;
using System.Text.Json;
using Nbdmux.Client;
using Nbdmux.Domain;

namespace Nbdmux.Cli.Commands;

public static class ShowCommand
{
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "export to show" };
        var command = new Command("show", "one export, with the nbd-client line and the kernel command line a target uses") { name };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = globals.CreateClient(parseResult);
            var export = await client.GetExportAsync(parseResult.GetRequiredValue(name), cancellationToken);
            await console.Out.WriteLineAsync(parseResult.GetValue(globals.Json)
                ? JsonSerializer.Serialize(export, CliJsonContext.Default.NbdmuxExport)
                : Describe(export));
            return NbdmuxCli.Success;
        });
        return command;
    }

    private static string Describe(NbdmuxExport export) => string.Join(Environment.NewLine,
        $"name:        {export.Name}",
        $"file:        {export.File}",
        $"size:        {ByteSize.Describe(export.SizeBytes)}",
        $"mode:        {ExportTable.Mode(export)}",
        $"allow:       {(export.Allow is { } allow ? string.Join(", ", allow) : "everyone")}",
        $"clients:     {export.ConnectionCount}",
        $"status:      {export.Status}{(export.Problem is { } problem ? $" ({problem})" : "")}",
        $"nbd-client:  {export.NbdClientCommand}",
        $"ramboot:     {export.KernelCommandLine}");
}
