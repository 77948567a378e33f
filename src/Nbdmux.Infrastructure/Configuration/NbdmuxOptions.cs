using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Nbdmux.Infrastructure.Configuration;

/// <summary>
/// Daemon settings, bound from the "Nbdmux" configuration section. A problem is worded about the
/// setting alone ("must be ..."): which flag or environment variable gave it is the host's to say,
/// and it names them when it reports the problem.
/// </summary>
public sealed class NbdmuxOptions : IValidatableObject
{
    public const string Section = "Nbdmux";

    public const string PortRange = "a port from 1 to 65535";

    private const string MustNotBeEmpty = "must not be empty.";

    private const string HandshakeTimeoutRange = "from 1 to 3600 seconds";

    /// <summary>What a whole-number setting accepts, for the message that refuses another value.</summary>
    public static string Allowed(string key) => key switch
    {
        nameof(HandshakeTimeout) => $"give {HandshakeTimeoutRange}",
        nameof(MaxWarms) => $"give {MaxWarmsRange}",
        _ => $"give {PortRange}",
    };

    private const string MaxWarmsRange = "from 1 to 64";

    /// <summary>Where nbdmux keeps everything it writes: database, nbd-server config, pid file.</summary>
    [Required(ErrorMessage = MustNotBeEmpty)]
    public string DataDir { get; set; } = "./data";

    [Range(1, 65535, ErrorMessage = "must be " + PortRange + ".")]
    public int NbdPort { get; set; } = 10809;

    /// <summary>The address the NBD server listens on (the HTTP API listens there too).</summary>
    [Required(ErrorMessage = MustNotBeEmpty)]
    public string Bind { get; set; } = "0.0.0.0";

    [Required(ErrorMessage = MustNotBeEmpty)]
    public string NbdServerBin { get; set; } = "nbd-server";

    /// <summary>
    /// Which NBD server serves the exports: nbdkit with nbdmux's plugin, or Debian's nbd-server.
    /// Unset means nbdkit where its plugin was built and nbdkit is installed, else nbd-server.
    /// </summary>
    public string? NbdBackend { get; set; }

    public const string NbdkitBackend = "nbdkit";

    public const string NbdServerBackend = "nbd-server";

    [Required(ErrorMessage = MustNotBeEmpty)]
    public string NbdkitBin { get; set; } = "nbdkit";

    /// <summary>Seconds a client may take from connecting to being served an export before it is disconnected.</summary>
    [Range(1, 3600, ErrorMessage = "must be " + HandshakeTimeoutRange + ".")]
    public int HandshakeTimeout { get; set; } = 10;

    /// <summary>
    /// The image roots (one or more): only files inside them can be exported; empty means
    /// ./images, beside ./data. Never inside the data dir, nor the data dir inside one of them.
    /// </summary>
    public List<string> ImagesDir { get; set; } = [];

    public const string DefaultImagesDir = "./images";

    public IReadOnlyList<string> ImageRoots() => (ImagesDir.Count > 0 ? ImagesDir : [DefaultImagesDir]).Select(Path.GetFullPath).ToList();

    /// <summary>A withcache (HTTP cache) that warms fetch through: <c>&lt;url&gt;/b/&lt;base64url(src_url)&gt;</c>.</summary>
    public string? WithcacheUrl { get; set; }

    /// <summary>URL prefixes warms may fetch from directly (e.g. https://images.lab.example/).</summary>
    public List<string> WarmSources { get; set; } = [];

    /// <summary>How many warms fetch at once; more wait, queued.</summary>
    [Range(1, 64, ErrorMessage = "must be " + MaxWarmsRange + ".")]
    public int MaxWarms { get; set; } = 2;

    /// <summary>Where the registry lives: <see cref="RegistryDatabase.Forms"/>; unset means &lt;data-dir&gt;/nbdmux.db.</summary>
    public string? Database { get; set; }

    /// <summary>This node's name among the nodes that share the registry; unset means the host name.</summary>
    public string? NodeName { get; set; }

    public string NodeNameOrHostName => NodeName ?? System.Net.Dns.GetHostName();

    public RegistryDatabase RegistryDatabase() => Configuration.RegistryDatabase.Parse(Database, DataDirFullPath);

    public IPAddress BindAddress() => IPAddress.Parse(Bind);

    private static bool IsHttpUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0 && !url.Any(char.IsControl);

    public string DataDirFullPath => Path.GetFullPath(DataDir);

    /// <summary>The keys that sign the dashboard's log-in cookies.</summary>
    public string KeyRingPath => Path.Combine(DataDirFullPath, "keys");

    private string? DatabaseProblem()
    {
        try
        {
            RegistryDatabase();
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(Bind, out _))
        {
            yield return new ValidationResult($"'{Bind}' is not an IP address (e.g. 0.0.0.0, 127.0.0.1 or ::).", [nameof(Bind)]);
        }

        if (DataDir.Any(char.IsControl))
        {
            yield return new ValidationResult("must not contain control characters.", [nameof(DataDir)]);
        }

        if (NbdBackend is not (null or NbdkitBackend or NbdServerBackend))
        {
            yield return new ValidationResult($"'{NbdBackend}' must be {NbdkitBackend} or {NbdServerBackend}.", [nameof(NbdBackend)]);
        }

        var databaseProblem = DatabaseProblem();
        if (databaseProblem is not null)
        {
            yield return new ValidationResult($"--database: {databaseProblem}.", [nameof(Database)]);
        }

        if (!Domain.Nodes.NodeNames.IsValid(NodeNameOrHostName))
        {
            yield return new ValidationResult(
                $"--node-name '{NodeNameOrHostName}' must be 1-{Domain.Nodes.NodeNames.MaxLength} of A-Z a-z 0-9 . _ -, starting with a letter or digit{(NodeName is null ? " (it defaults to the host name)" : "")}.",
                [nameof(NodeName)]);
        }

        if (WithcacheUrl is not null && !IsHttpUrl(WithcacheUrl))
        {
            yield return new ValidationResult($"'{WithcacheUrl}' must be an absolute http or https URL (e.g. http://withcache:4041).", [nameof(WithcacheUrl)]);
        }

        foreach (var prefix in WarmSources.Where(prefix => !IsHttpUrl(prefix) || !new Uri(prefix).AbsolutePath.EndsWith('/')))
        {
            yield return new ValidationResult(
                $"'{prefix}' must be an absolute http or https URL ending in '/' (e.g. https://images.example/lab/), so that it cannot match a longer host or directory name.",
                [nameof(WarmSources)]);
        }
    }
}
