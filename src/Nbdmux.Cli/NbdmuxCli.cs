using System.CommandLine;
using System.Net;
using Nbdmux.Cli.Commands;
using Nbdmux.Client;

namespace Nbdmux.Cli;

/// <summary>`nbdmux ls|show|add|warm|rm|images|nodes|health`: exit code 0 on success, otherwise one `nbdmux: ...` line on stderr.</summary>
public static class NbdmuxCli
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        var globals = new GlobalOptions(console.GetEnvironmentVariable);
        var root = new RootCommand("Manage the NBD exports of an nbdmux daemon.")
        {
            ListCommand.Create(globals, console),
            ShowCommand.Create(globals, console),
            AddCommand.Create(globals, console),
            WarmCommand.Create(globals, console),
            RemoveCommand.Create(globals, console),
            ImagesCommand.Create(globals, console),
            NodesCommand.Create(globals, console),
            HealthCommand.Create(globals, console),
        };
        foreach (var option in globals.All)
        {
            root.Options.Add(option);
        }

        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            var problems = string.Join(" ", parseResult.Errors.Select(error => error.Message).Distinct());
            return await FailAsync(console, $"{problems} (see nbdmux --help)", UsageError);
        }

        try
        {
            return await parseResult.InvokeAsync(
                new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false },
                cancellationToken);
        }
        catch (CliUsageException usage)
        {
            return await FailAsync(console, usage.Message, UsageError);
        }
        catch (NbdmuxApiException refused)
        {
            return await FailAsync(console, Describe(refused), Failure);
        }
    }

    private static string Describe(NbdmuxApiException refused) => refused.StatusCode switch
    {
        HttpStatusCode.Unauthorized => $"{refused.Message} (give the admin password with --password or ${GlobalOptions.PasswordVariable})",
        _ => refused.Message,
    };

    private static async Task<int> FailAsync(CliConsole console, string message, int exitCode)
    {
        await console.Error.WriteLineAsync($"nbdmux: {message}");
        return exitCode;
    }
}
