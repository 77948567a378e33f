namespace Nbdmux.Cli;

/// <summary>Where the CLI writes and what it reads from the environment; tests pass their own.</summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, Func<string, string?> GetEnvironmentVariable);
