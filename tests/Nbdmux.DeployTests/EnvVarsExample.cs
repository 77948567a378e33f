namespace Nbdmux.DeployTests;

/// <summary>deploy/envvars.example: each variable with the comment block above it.</summary>
public static class EnvVarsExample
{
    public const string RelativePath = "deploy/envvars.example";

    public sealed record Entry(string Variable, string Value, bool Commented, string Comment);

    public static IReadOnlyList<Entry> Read()
    {
        var entries = new List<Entry>();
        var comment = new List<string>();
        foreach (var line in Repository.ReadAllText(RelativePath).Split('\n').Select(line => line.Trim()))
        {
            var commented = line.StartsWith("#NBDMUX_", StringComparison.Ordinal);
            if (commented || line.StartsWith("NBDMUX_", StringComparison.Ordinal))
            {
                var (variable, value) = line.TrimStart('#').Split('=', 2) is [var v, var x] ? (v, x) : (line.TrimStart('#'), "");
                entries.Add(new Entry(variable, value, commented, string.Join('\n', comment)));
                comment.Clear();
            }
            else if (line.StartsWith('#'))
            {
                comment.Add(line.TrimStart('#').Trim());
            }
            else
            {
                comment.Clear();
            }
        }

        return entries;
    }
}
