using Nbdmux.Cli;

namespace Nbdmux.Client.Tests;

/// <summary>One `nbdmux ...` run, in-process, with its own environment and captured output.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    public static async Task<CliRun> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await NbdmuxCli.RunAsync(args, new CliConsole(output, error, name => environment.GetValueOrDefault(name)));
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    public static Task<CliRun> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    /// <summary>A failed run says so in exactly one `nbdmux: ...` line on stderr.</summary>
    public string SingleErrorLine()
    {
        var lines = Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one stderr line, got: {Error}");
        Assert.StartsWith("nbdmux: ", lines[0]);
        return lines[0].TrimEnd();
    }
}
