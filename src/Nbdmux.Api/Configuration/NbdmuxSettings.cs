using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.Api.Configuration;

/// <summary>
/// The daemon's settings sources. Flags keep the names of the Python nbdmux this replaces
/// (--data-dir ...); each has an NBDMUX_* environment variable and a key in the "Nbdmux"
/// section of appsettings. Flags win over the environment, which wins over appsettings.
/// </summary>
public static class NbdmuxSettings
{
    private const string EnvironmentPrefix = "NBDMUX_";

    /// <summary>Flag, options property, and what it is for (shown by --help).</summary>
    public static readonly IReadOnlyList<(string Flag, string Key, string Help)> Flags =
    [
        ("--data-dir", nameof(NbdmuxOptions.DataDir), "where nbdmux keeps its database and nbd-server files (default ./data)"),
        ("--port", nameof(NbdmuxOptions.Port), "HTTP port of the API and dashboard (default 8082)"),
        ("--nbd-port", nameof(NbdmuxOptions.NbdPort), "TCP port targets connect to with nbd-client (default 10809)"),
        ("--bind", nameof(NbdmuxOptions.Bind), "address for both HTTP and NBD (default 0.0.0.0)"),
        ("--nbd-server-bin", nameof(NbdmuxOptions.NbdServerBin), "nbd-server executable (default nbd-server, found in PATH)"),
        ("--log-format", nameof(NbdmuxOptions.LogFormat), "text (one line per event) or json (one object per line, for log shippers) (default text)"),
    ];

    public static string Usage =>
        "Usage: nbdmux [options]\n\n" +
        string.Join("\n", Flags.Select(f => $"  {f.Flag + " VALUE",-24} {f.Help}; env {EnvironmentVariable(f.Key)}")) +
        "\n  --help                   show this help\n";

    /// <summary>
    /// ASP.NET Core's own switches and `--Section:Key=value` configuration arguments (what
    /// WebApplicationFactory passes); they go to the host's configuration unchanged.
    /// </summary>
    private static readonly string[] HostSwitches = ["environment", "contentRoot", "applicationName", NbdmuxOptions.Section];

    public static string[] HostArguments(string[] args) => args.Where(IsHostSwitch).ToArray();

    public static void AddTo(ConfigurationManager configuration, string[] args)
    {
        configuration.AddInMemoryCollection(FromEnvironment());
        configuration.AddInMemoryCollection(FromArguments(args.Where(arg => !IsHostSwitch(arg)).ToArray()));
    }

    private static bool IsHostSwitch(string arg) =>
        arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=') is > 2 and var equals &&
        (HostSwitches.Contains(arg[2..equals]) || arg[2..equals].Contains(':'));

    public static NbdmuxOptions Bind(IConfiguration configuration)
    {
        var options = new NbdmuxOptions();
        configuration.GetSection(NbdmuxOptions.Section).Bind(options);
        return options;
    }

    /// <summary>NBDMUX_NBD_SERVER_BIN for NbdServerBin.</summary>
    public static string EnvironmentVariable(string key) =>
        EnvironmentPrefix + string.Concat(key.Select((c, i) => i > 0 && char.IsUpper(c) ? $"_{c}" : $"{char.ToUpperInvariant(c)}"));

    private static Dictionary<string, string?> FromEnvironment() =>
        Flags.Select(f => (f.Key, Value: Environment.GetEnvironmentVariable(EnvironmentVariable(f.Key))))
            .Where(setting => !string.IsNullOrEmpty(setting.Value))
            .ToDictionary(setting => $"{NbdmuxOptions.Section}:{setting.Key}", setting => setting.Value);

    private static Dictionary<string, string?> FromArguments(string[] args)
    {
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < args.Length; i++)
        {
            var (flag, value) = args[i].Split('=', 2) is [var f, var v] ? (f, v) : (args[i], null);
            var known = Flags.FirstOrDefault(f => f.Flag == flag);
            if (known.Flag is null)
            {
                throw new StartupException($"unknown option '{args[i]}'; run with --help for the list.");
            }

            value ??= i + 1 < args.Length ? args[++i] : throw new StartupException($"option {flag} needs a value.");
            settings[$"{NbdmuxOptions.Section}:{known.Key}"] = value;
        }

        return settings;
    }
}
