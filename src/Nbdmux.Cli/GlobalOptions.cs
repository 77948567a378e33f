using System.CommandLine;
using Nbdmux.Client;

namespace Nbdmux.Cli;

/// <summary>Options every command accepts, before or after the command name.</summary>
public sealed class GlobalOptions
{
    public const string ServerVariable = "NBDMUX_URL";
    public const string PasswordVariable = "NBDMUX_ADMIN_PASSWORD";
    public const string DefaultServer = "http://localhost:8082";

    private readonly Func<string, string?> _environment;

    public GlobalOptions(Func<string, string?> environment)
    {
        _environment = environment;
        Timeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() <= 0)
            {
                result.AddError("--timeout must be a positive number of seconds.");
            }
        });
    }

    public Option<string?> Server { get; } = new("--server")
    {
        Description = $"nbdmux API URL (default: ${ServerVariable}, else {DefaultServer})",
        HelpName = "URL",
        Recursive = true,
    };

    // No default value factory: help would print the password.
    public Option<string?> Password { get; } = new("--password")
    {
        Description = $"admin password, sent as a bearer token (default: ${PasswordVariable})",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "print machine-readable JSON instead of a table",
        Recursive = true,
    };

    public Option<double> Timeout { get; } = new("--timeout")
    {
        Description = "seconds to wait for each attempt",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => 5,
        Recursive = true,
    };

    public IEnumerable<Option> All => [Server, Password, Json, Timeout];

    public NbdmuxClient CreateClient(ParseResult parseResult)
    {
        return new NbdmuxClient(new NbdmuxClientOptions
        {
            BaseAddress = ServerAddress(parseResult),
            Password = parseResult.GetValue(Password) ?? _environment(PasswordVariable),
            Timeout = TimeSpan.FromSeconds(parseResult.GetValue(Timeout)),
        });
    }

    private Uri ServerAddress(ParseResult parseResult)
    {
        var (source, value) = parseResult.GetValue(Server) is { } flag
            ? ("--server", flag)
            : ($"${ServerVariable}", _environment(ServerVariable) is { Length: > 0 } variable ? variable : DefaultServer);
        return Uri.TryCreate(value, UriKind.Absolute, out var server) && server.Scheme is "http" or "https"
            ? server
            : throw new CliUsageException($"{source} '{value}' is not an http:// or https:// URL (e.g. {DefaultServer}).");
    }
}
