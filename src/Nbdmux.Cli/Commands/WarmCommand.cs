using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Nbdmux.Client;
using Nbdmux.Domain;

namespace Nbdmux.Cli.Commands;

public static class WarmCommand
{
    private const int BarWidth = 30;

    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "export name NBD clients ask for (nbd-client -N NAME)" };
        var url = new Argument<string>("URL") { Description = "http or https URL of the image, under a source the daemon allows (its withcache or --warm-source)" };
        var format = new Option<string>("--format") { Description = "img, img.gz, img.zst, img.xz, img.bz2 or qcow2 (default: from the URL's suffix, else the first bytes)" };
        var sha256 = new Option<string>("--sha256") { Description = "SHA-256 the raw image must have before it is served" };
        var readWrite = new Option<bool>("--rw") { Description = "let clients write to the image (default: read-only)" };
        var copyOnWrite = new Option<bool>("--cow") { Description = "give every client its own private writable view; the image never changes" };
        var allow = new Option<string[]>("--allow") { Description = "address or CIDR network that may connect (repeat for more; default: everyone)" };
        var force = new Option<bool>("--force") { Description = "warm a name served now even while clients are connected (they are disconnected)" };
        var wait = new Option<bool>("--wait") { Description = "draw the progress and return once the export is ready (exit 1 if the warm fails)" };
        var command = new Command("warm", "have the daemon fetch URL, unpack it and serve it as NAME once ready")
        {
            name, url, format, sha256, readWrite, copyOnWrite, allow, force, wait,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = globals.CreateClient(parseResult);
            var cow = parseResult.GetValue(copyOnWrite);
            var spec = new NbdmuxWarmSpec(parseResult.GetRequiredValue(name), parseResult.GetRequiredValue(url))
            {
                Format = parseResult.GetValue(format),
                Sha256 = parseResult.GetValue(sha256),
                Readonly = cow ? null : !parseResult.GetValue(readWrite),
                CopyOnWrite = cow ? true : null,
                Allow = parseResult.GetValue(allow) is { Length: > 0 } addresses ? addresses : null,
            };
            var export = (await client.WarmAsync(spec, parseResult.GetValue(force), cancellationToken)).Export;
            var json = parseResult.GetValue(globals.Json);
            if (parseResult.GetValue(wait))
            {
                try
                {
                    export = await client.WaitUntilReadyAsync(export.Name, new SynchronousProgress(current => console.Error.Write($"\r{Bar(current)}")), cancellationToken: cancellationToken);
                }
                finally
                {
                    await console.Error.WriteLineAsync();
                }
            }

            await console.Out.WriteLineAsync(json
                ? JsonSerializer.Serialize(export, CliJsonContext.Default.NbdmuxExport)
                : $"{export.Status} {export.Name}: {export.File} from {export.SrcUrl} ({export.Format ?? "format from its first bytes"}, {ExportTable.Mode(export)})");
            return NbdmuxCli.Success;
        });
        return command;
    }

    /// <summary>E.g. "[############------------------]  40.2%  12 MiB of 29.9 MiB  fetching".</summary>
    public static string Bar(NbdmuxExport export)
    {
        var done = export.BytesDone ?? 0;
        var filled = export.Progress is { } percent ? (int)Math.Round(percent / 100 * BarWidth) : 0;
        var amount = export.BytesTotal is { } total ? $"{ByteSize.Describe(done)} of {ByteSize.Describe(total)}" : ByteSize.Describe(done);
        var percentText = export.Progress is { } p ? p.ToString("0.0", CultureInfo.InvariantCulture) + "%" : "";
        return $"[{new string('#', filled)}{new string('-', BarWidth - filled)}] {percentText,6}  {amount}  {export.Status}   ";
    }

    /// <summary>Reports on the polling thread, in order: <see cref="Progress{T}"/> would post to the thread pool and could draw after the last line.</summary>
    private sealed class SynchronousProgress(Action<NbdmuxExport> report) : IProgress<NbdmuxExport>
    {
        public void Report(NbdmuxExport value) => report(value);
    }
}
