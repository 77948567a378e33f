using System.Text.RegularExpressions;

namespace Nbdmux.Domain.Exports;

/// <summary>
/// The name a target asks nbd-server for. It also becomes a section header in nbd-server's
/// INI config, so the rule is strict enough that no name can inject or corrupt a section.
/// </summary>
public static partial class ExportName
{
    public const int MaxLength = 64;
    public const string Pattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";

    /// <summary>nbd-server reads its global settings from this section; an export cannot take it.</summary>
    public const string Reserved = "generic";

    public static bool IsValid(string? name) =>
        name is not null && NamePattern().IsMatch(name) && name != Reserved;

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
