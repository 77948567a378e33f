using System.Text.RegularExpressions;

namespace Nbdmux.DeployTests;

/// <summary>deploy/Containerfile as instructions: comments dropped, continuation lines joined.</summary>
public sealed partial class Containerfile
{
    public const string RelativePath = "deploy/Containerfile";

    private readonly List<(string Keyword, string Arguments)> _instructions;

    public Containerfile()
    {
        var lines = Repository.ReadAllText(RelativePath).Split('\n').Where(line => !line.TrimStart().StartsWith('#'));
        _instructions = string.Join('\n', lines).Replace("\\\n", " ").Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0)
            .Select(line => line.Split(' ', 2) is [var keyword, var arguments] ? (keyword, arguments.Trim()) : (line, ""))
            .ToList();
    }

    public IEnumerable<string> All(string keyword) =>
        _instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

    /// <summary>The final stage's instructions (the image that runs).</summary>
    public IEnumerable<string> Final(string keyword) =>
        _instructions.Skip(_instructions.FindLastIndex(i => i.Keyword == "FROM") + 1)
            .Where(i => i.Keyword == keyword)
            .Select(i => i.Arguments);

    public IReadOnlyDictionary<string, string> Environment =>
        Final("ENV").SelectMany(arguments => Whitespace().Split(arguments))
            .Select(assignment => assignment.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);

    public IReadOnlySet<int> ExposedPorts =>
        Final("EXPOSE").SelectMany(arguments => Whitespace().Split(arguments)).Select(int.Parse).ToHashSet();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
