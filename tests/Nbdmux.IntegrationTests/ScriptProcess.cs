using System.Diagnostics;
using System.Text;

namespace Nbdmux.IntegrationTests;

/// <summary>
/// One run of a tests/vm script whose stdout can be read while it runs (a guest console) and
/// whose stderr is kept for failure messages. Disposing kills whatever is still running.
/// </summary>
public sealed class ScriptProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private ScriptProcess(Process process)
    {
        _process = process;
        Started = Stopwatch.StartNew();
    }

    public string Name => Path.GetFileName(_process.StartInfo.FileName);
    public Stopwatch Started { get; }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public string Stdout { get { lock (_stdout) { return _stdout.ToString(); } } }
    public string Stderr { get { lock (_stderr) { return _stderr.ToString(); } } }

    public static ScriptProcess Start(
        string script, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(script)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var run = new ScriptProcess(new Process { StartInfo = start });
        run._process.OutputDataReceived += (_, e) => Append(run._stdout, e.Data);
        run._process.ErrorDataReceived += (_, e) => Append(run._stderr, e.Data);
        run._process.Start();
        run._process.StandardInput.Close();
        run._process.BeginOutputReadLine();
        run._process.BeginErrorReadLine();
        return run;
    }

    public static async Task<ScriptProcess> RunAsync(string script, IEnumerable<string> args, TimeSpan timeout)
    {
        var run = Start(script, args);
        await run.WaitAsync(timeout);
        return run;
    }

    /// <summary>Waits for the exit and returns the exit code; kills the run and throws on timeout.</summary>
    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Name} did not finish within {timeout.TotalSeconds} s.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        _process.WaitForExit(); // drains the redirected streams into the buffers
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is not null)
        {
            lock (buffer) { buffer.AppendLine(line); }
        }
    }
}
