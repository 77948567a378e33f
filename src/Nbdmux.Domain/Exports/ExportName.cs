namespace Nbdmux.Domain.Exports;

/// <summary>
/// The name a target asks nbd-server for. It also becomes a section header in nbd-server's
/// INI config, so the rule is strict enough that no name can inject or corrupt a section.
/// Checked character by character rather than with a regex: '$' would also match before a
/// final newline.
/// </summary>
public static class ExportName
{
    public const int MaxLength = 64;

    /// <summary>nbd-server reads its global settings from this section; an export cannot take it.</summary>
    public const string Reserved = "generic";

    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= MaxLength } &&
        char.IsAsciiLetterOrDigit(name[0]) &&
        name.All(IsNameCharacter) &&
        name != Reserved;

    private static bool IsNameCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';
}
