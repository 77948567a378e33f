using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.Api.Configuration;

/// <summary>
/// The daemon's settings sources. Flags keep the names that deployment scripts already pass
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
        ("--port", nameof(ApiOptions.Port), "HTTP port of the API and dashboard (default 8082)"),
        ("--nbd-port", nameof(NbdmuxOptions.NbdPort), "TCP port targets connect to with nbd-client (default 10809)"),
        ("--bind", nameof(NbdmuxOptions.Bind), "address for both HTTP and NBD (default 0.0.0.0)"),
        ("--nbd-backend", nameof(NbdmuxOptions.NbdBackend), "NBD server: nbdkit (every change live, no restart) or nbd-server (a process per client) (default nbdkit where its plugin is built, else nbd-server)"),
        ("--nbd-server-bin", nameof(NbdmuxOptions.NbdServerBin), "nbd-server executable (default nbd-server, found in PATH)"),
        ("--handshake-timeout", nameof(NbdmuxOptions.HandshakeTimeout), "seconds a client may take to negotiate an export before it is disconnected (default 10)"),
        ("--nbdkit-bin", nameof(NbdmuxOptions.NbdkitBin), "nbdkit executable (default nbdkit, found in PATH)"),
        ("--images-dir", nameof(NbdmuxOptions.ImagesDir), "a directory whose images may be exported; repeat for more; env: ':'-separated; never inside the data dir or around it (default ./images)"),
        ("--withcache-url", nameof(NbdmuxOptions.WithcacheUrl), "withcache that warms (POST /exports with src_url) fetch through, as <url>/b/<base64url(src_url)> (default unset)"),
        ("--warm-source", nameof(NbdmuxOptions.WarmSources), "URL prefix, ending in '/', warms may fetch from directly; repeat for more; env: space-separated (default none)"),
        ("--max-warms", nameof(NbdmuxOptions.MaxWarms), "warms that fetch at once; more wait, queued (default 2)"),
        ("--admin-password", nameof(ApiOptions.AdminPassword), "password for the dashboard and API (Bearer); unset: open to all (prefer the env var: flags show in ps)"),
        ("--log-format", nameof(ApiOptions.LogFormat), "text (one line per event) or json (one object per line, for log shippers) (default text)"),
        ("--database", nameof(NbdmuxOptions.Database), "the registry: sqlite:PATH (one node) or postgresql://user:password@host:port/dbname (nodes sharing it form a cluster) (default sqlite:<data-dir>/nbdmux.db)"),
        ("--node-name", nameof(NbdmuxOptions.NodeName), "this node's name among the nodes sharing the registry (default the host name)"),
    ];

    /// <summary>Settings that take a list: repeated flags, or one environment variable split at these separators (URLs hold ':').</summary>
    private static readonly Dictionary<string, char[]> ListSeparators = new()
    {
        [nameof(NbdmuxOptions.ImagesDir)] = [':'],
        [nameof(NbdmuxOptions.WarmSources)] = [' ', '\t', '\n'],
    };

    private static IEnumerable<string> ListKeys => ListSeparators.Keys;

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
        var fromArguments = FromArguments(args.Where(arg => !IsHostSwitch(arg)).ToArray());
        var fromEnvironment = FromEnvironment();
        // Lists bind by index: flags must replace an environment list, not merge into it.
        foreach (var listed in fromEnvironment.Keys.Where(key => fromArguments.Keys.Any(flag => SameList(key, flag))).ToList())
        {
            fromEnvironment.Remove(listed);
        }

        configuration.AddInMemoryCollection(fromEnvironment);
        configuration.AddInMemoryCollection(fromArguments);
    }

    private static bool IsHostSwitch(string arg) =>
        arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=') is > 2 and var equals &&
        (HostSwitches.Contains(arg[2..equals]) || arg[2..equals].Contains(':'));

    public static NbdmuxOptions Bind(IConfiguration configuration) => Bind<NbdmuxOptions>(configuration);

    public static ApiOptions BindApi(IConfiguration configuration) => Bind<ApiOptions>(configuration);

    /// <summary>The options as configured; a value that is not of its setting's type is a <see cref="StartupException"/> naming the setting.</summary>
    private static T Bind<T>(IConfiguration configuration) where T : new()
    {
        var section = configuration.GetSection(NbdmuxOptions.Section);
        foreach (var (flag, key, _) in Flags.Where(f => typeof(T).GetProperty(f.Key)?.PropertyType == typeof(int)))
        {
            if (section[key] is { } value && !int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                throw new StartupException($"{flag} (or {EnvironmentVariable(key)}) '{value}' is not a whole number; {NbdmuxOptions.Allowed(key)}.");
            }
        }

        var options = new T();
        section.Bind(options);
        return options;
    }

    /// <summary>
    /// The first problem of the options, in the words of the one line a failed start prints
    /// (e.g. "--nbd-port must be a port from 1 to 65535."): the options word it about the
    /// setting, and the flag that gives the setting names it here. Null when there is none.
    /// </summary>
    public static string? Problem(object options)
    {
        var problems = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), problems, validateAllProperties: true))
        {
            return null;
        }

        var (problem, key) = (problems[0], problems[0].MemberNames.FirstOrDefault());
        return Flags.FirstOrDefault(f => f.Key == key).Flag is { } flag ? $"{flag} {problem.ErrorMessage}" : problem.ErrorMessage;
    }

    /// <summary>NBDMUX_NBD_SERVER_BIN for NbdServerBin.</summary>
    public static string EnvironmentVariable(string key) =>
        EnvironmentPrefix + string.Concat(key.Select((c, i) => i > 0 && char.IsUpper(c) ? $"_{c}" : $"{char.ToUpperInvariant(c)}"));

    private static Dictionary<string, string?> FromEnvironment()
    {
        var settings = new Dictionary<string, string?>();
        foreach (var (_, key, _) in Flags)
        {
            var value = Environment.GetEnvironmentVariable(EnvironmentVariable(key));
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            var values = ListSeparators.TryGetValue(key, out var separators) ? value.Split(separators, StringSplitOptions.RemoveEmptyEntries) : [value];
            AddSetting(settings, key, values);
        }

        return settings;
    }

    private static bool SameList(string key, string other) =>
        ListKeys.Any(list => key.StartsWith($"{NbdmuxOptions.Section}:{list}:", StringComparison.Ordinal) &&
                             other.StartsWith($"{NbdmuxOptions.Section}:{list}:", StringComparison.Ordinal));

    private static void AddSetting(Dictionary<string, string?> settings, string key, params string[] values)
    {
        if (!ListKeys.Contains(key))
        {
            settings[$"{NbdmuxOptions.Section}:{key}"] = values[^1];
            return;
        }

        var next = settings.Keys.Count(k => k.StartsWith($"{NbdmuxOptions.Section}:{key}:", StringComparison.Ordinal));
        foreach (var value in values)
        {
            settings[$"{NbdmuxOptions.Section}:{key}:{next++}"] = value;
        }
    }

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
            AddSetting(settings, known.Key, value);
        }

        return settings;
    }
}
