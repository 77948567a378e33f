namespace Nbdmux.Infrastructure.Files;

public static class ExecutableSearch
{
    /// <summary>The full path of a program, looked up in PATH when it is a bare name; null when there is none.</summary>
    public static string? Find(string program)
    {
        var candidates = program.Contains('/')
            ? [program]
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Select(directory => Path.Combine(directory, program));
        return candidates.FirstOrDefault(File.Exists) is { } found ? Path.GetFullPath(found) : null;
    }
}
