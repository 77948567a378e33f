using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Nbdmux.Infrastructure.Configuration;

/// <summary>
/// Daemon settings. Each comes from a flag (--data-dir), an environment variable
/// (NBDMUX_DATA_DIR) or the "Nbdmux" section of appsettings, in that order of precedence.
/// </summary>
public sealed class NbdmuxOptions : IValidatableObject
{
    public const string Section = "Nbdmux";

    private const string PortRange = "a port from 1 to 65535";

    private const string HandshakeTimeoutRange = "from 1 to 3600 seconds";

    /// <summary>What a whole-number setting accepts, for the message that refuses another value.</summary>
    public static string Allowed(string key) => key == nameof(HandshakeTimeout) ? $"give {HandshakeTimeoutRange}" : $"give {PortRange}";

    /// <summary>Where nbdmux keeps everything it writes: database, nbd-server config, pid file.</summary>
    [Required]
    public string DataDir { get; set; } = "./data";

    [Range(1, 65535, ErrorMessage = "--port must be " + PortRange + ".")]
    public int Port { get; set; } = 8082;

    [Range(1, 65535, ErrorMessage = "--nbd-port must be " + PortRange + ".")]
    public int NbdPort { get; set; } = 10809;

    /// <summary>The address both the HTTP API and nbd-server listen on.</summary>
    [Required]
    public string Bind { get; set; } = "0.0.0.0";

    [Required]
    public string NbdServerBin { get; set; } = "nbd-server";

    /// <summary>
    /// Which NBD server serves the exports: nbdkit with nbdmux's plugin, or Debian's nbd-server.
    /// Unset means nbdkit where its plugin was built and nbdkit is installed, else nbd-server.
    /// </summary>
    public string? NbdBackend { get; set; }

    public const string NbdkitBackend = "nbdkit";

    public const string NbdServerBackend = "nbd-server";

    [Required]
    public string NbdkitBin { get; set; } = "nbdkit";

    /// <summary>Seconds a client may take from connecting to being served an export before it is disconnected.</summary>
    [Range(1, 3600, ErrorMessage = "--handshake-timeout must be " + HandshakeTimeoutRange + ".")]
    public int HandshakeTimeout { get; set; } = 10;

    /// <summary>
    /// The image roots (one or more): only files inside them can be exported; empty means
    /// ./images, beside ./data. Never inside the data dir, nor the data dir inside one of them.
    /// </summary>
    public List<string> ImagesDir { get; set; } = [];

    public const string DefaultImagesDir = "./images";

    public IReadOnlyList<string> ImageRoots() => (ImagesDir.Count > 0 ? ImagesDir : [DefaultImagesDir]).Select(Path.GetFullPath).ToList();

    /// <summary>When set, the dashboard and every control endpoint require it; unset, anyone who can reach the port may change exports.</summary>
    public string? AdminPassword { get; set; }

    /// <summary>Console log lines as text, or as one JSON object each for log shippers.</summary>
    public string LogFormat { get; set; } = TextLogFormat;

    public const string TextLogFormat = "text";

    public const string JsonLogFormat = "json";

    public IPAddress BindAddress() => IPAddress.Parse(Bind);

    public string DataDirFullPath => Path.GetFullPath(DataDir);

    /// <summary>The keys that sign the dashboard's log-in cookies.</summary>
    public string KeyRingPath => Path.Combine(DataDirFullPath, "keys");

    /// <summary>
    /// The password is compared exactly as configured, but an Authorization header loses the
    /// whitespace around its value and carries only printable ASCII reliably: any other password
    /// would work in the login form and never for a script. The password is not quoted: the
    /// message goes to the console and logs.
    /// </summary>
    private static string? BearerProblem(string password) =>
        char.IsWhiteSpace(password[0]) || char.IsWhiteSpace(password[^1]) ? "starts or ends with whitespace"
        : password.Any(char.IsControl) ? "contains a control character"
        : password.Any(c => c is < ' ' or > '~') ? "contains a character that is not printable ASCII"
        : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(Bind, out _))
        {
            yield return new ValidationResult($"--bind '{Bind}' is not an IP address (e.g. 0.0.0.0, 127.0.0.1 or ::).", [nameof(Bind)]);
        }

        if (DataDir.Any(char.IsControl))
        {
            yield return new ValidationResult("--data-dir must not contain control characters.", [nameof(DataDir)]);
        }

        if (AdminPassword is "")
        {
            yield return new ValidationResult("--admin-password is empty; give a password or leave the setting out to run without one.", [nameof(AdminPassword)]);
        }
        else if (AdminPassword is not null && BearerProblem(AdminPassword) is { } problem)
        {
            yield return new ValidationResult($"--admin-password {problem}, so it could never be sent as 'Authorization: Bearer <password>'; choose another.", [nameof(AdminPassword)]);
        }

        if (LogFormat is not (TextLogFormat or JsonLogFormat))
        {
            yield return new ValidationResult($"--log-format '{LogFormat}' must be {TextLogFormat} or {JsonLogFormat}.", [nameof(LogFormat)]);
        }

        if (NbdBackend is not (null or NbdkitBackend or NbdServerBackend))
        {
            yield return new ValidationResult($"--nbd-backend '{NbdBackend}' must be {NbdkitBackend} or {NbdServerBackend}.", [nameof(NbdBackend)]);
        }

        if (Port == NbdPort)
        {
            yield return new ValidationResult($"--port and --nbd-port are both {Port}; they must differ.", [nameof(Port)]);
        }
    }
}
