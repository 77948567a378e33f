namespace Nbdmux.Domain.Nodes;

/// <summary>What a node may be called (--node-name): a host name's characters, so it reads the same in logs, URLs and the dashboard.</summary>
public static class NodeNames
{
    public const int MaxLength = 64;

    public static bool IsValid(string name) =>
        name.Length is > 0 and <= MaxLength && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
}
