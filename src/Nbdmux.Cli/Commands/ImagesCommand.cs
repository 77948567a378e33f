using System.CommandLine;
using System.Text.Json;

namespace Nbdmux.Cli.Commands;

public static class ImagesCommand
{
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        var page = new Option<int>("--page") { Description = "page of the listing, from 1", DefaultValueFactory = _ => 1 };
        var pageSize = new Option<int>("--page-size") { Description = "files per page, 1 to 1000", DefaultValueFactory = _ => 100 };
        var command = new Command("images", "list the files beneath the daemon's image roots: PATH SIZE EXPORTABLE EXPORTS") { page, pageSize };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = globals.CreateClient(parseResult);
            var images = await client.ListImagesAsync(parseResult.GetValue(page), parseResult.GetValue(pageSize), cancellationToken);
            if (parseResult.GetValue(globals.Json))
            {
                await console.Out.WriteLineAsync(JsonSerializer.Serialize(images, CliJsonContext.Default.NbdmuxImagePage));
            }
            else
            {
                ImageTable.Write(console.Out, images);
            }

            return NbdmuxCli.Success;
        });
        return command;
    }
}
