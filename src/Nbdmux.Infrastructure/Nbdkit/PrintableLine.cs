using System.Text;

namespace Nbdmux.Infrastructure.Nbdkit;

/// <summary>Text from files another process writes, made safe to log and show.</summary>
public static class PrintableLine
{
    /// <summary>
    /// The first line, at most <paramref name="maxLength"/> characters, trimmed, with control
    /// characters (which would forge log lines or escape a terminal) shown as '?'.
    /// </summary>
    public static string Of(string text, int maxLength = 512)
    {
        var line = text.AsSpan();
        if (line.IndexOf('\n') is var end and >= 0)
        {
            line = line[..end];
        }

        var shown = new StringBuilder(Math.Min(line.Length, maxLength));
        foreach (var character in line[..Math.Min(line.Length, maxLength)])
        {
            shown.Append(char.IsControl(character) ? '?' : character);
        }

        return shown.ToString().Trim();
    }
}
