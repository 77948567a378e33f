using System.ComponentModel.DataAnnotations;
using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.Api.Configuration;

/// <summary>
/// The HTTP side's settings: port, admin password and log format. They come from the same flags,
/// environment variables and "Nbdmux" section as the NBD side's settings (NbdmuxOptions), and
/// word their problems the same way: about the setting, which NbdmuxSettings names.
/// </summary>
public sealed class ApiOptions : IValidatableObject
{
    [Range(1, 65535, ErrorMessage = "must be " + NbdmuxOptions.PortRange + ".")]
    public int Port { get; set; } = 8082;

    /// <summary>When set, the dashboard and every control endpoint require it; unset, anyone who can reach the port may change exports.</summary>
    public string? AdminPassword { get; set; }

    /// <summary>Console log lines as text, or as one JSON object each for log shippers.</summary>
    public string LogFormat { get; set; } = TextLogFormat;

    public const string TextLogFormat = "text";

    public const string JsonLogFormat = "json";

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
        if (AdminPassword is "")
        {
            yield return new ValidationResult("is empty; give a password or leave the setting out to run without one.", [nameof(AdminPassword)]);
        }
        else if (AdminPassword is not null && BearerProblem(AdminPassword) is { } problem)
        {
            yield return new ValidationResult($"{problem}, so it could never be sent as 'Authorization: Bearer <password>'; choose another.", [nameof(AdminPassword)]);
        }

        if (LogFormat is not (TextLogFormat or JsonLogFormat))
        {
            yield return new ValidationResult($"'{LogFormat}' must be {TextLogFormat} or {JsonLogFormat}.", [nameof(LogFormat)]);
        }
    }
}
