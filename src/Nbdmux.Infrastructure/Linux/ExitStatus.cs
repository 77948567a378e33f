namespace Nbdmux.Infrastructure.Linux;

/// <summary>
/// How a process ended: its exit code, or the signal that killed it. <see cref="Unknown"/> when
/// nbdmux could not wait for it (an nbd-server an earlier nbdmux started is not its child).
/// </summary>
public readonly record struct ExitStatus(int? Code, int? Signal, bool CoreDumped)
{
    public static ExitStatus Unknown => default;

    /// <summary>
    /// Decodes the status word of waitpid(2) the way glibc's WIFEXITED, WEXITSTATUS, WTERMSIG and
    /// WCOREDUMP do. Without WUNTRACED or WCONTINUED, waitpid reports only ended processes.
    /// </summary>
    public static ExitStatus FromWaitStatus(int status) =>
        (status & 0x7f) == 0
            ? new ExitStatus((status >> 8) & 0xff, null, false)
            : new ExitStatus(null, status & 0x7f, (status & 0x80) != 0);

    public override string ToString() => (Code, Signal) switch
    {
        ({ } code, _) => $"exited with code {code}",
        (_, { } signal) => $"killed by {SignalName(signal)}{(CoreDumped ? " (core dumped)" : "")}",
        _ => "exit status unknown (not nbdmux's child)",
    };

    /// <summary>Linux's numbering on x86 and ARM, the signals a process can die of.</summary>
    private static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        10 => "SIGUSR1",
        11 => "SIGSEGV",
        12 => "SIGUSR2",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        16 => "SIGSTKFLT",
        24 => "SIGXCPU",
        25 => "SIGXFSZ",
        26 => "SIGVTALRM",
        27 => "SIGPROF",
        29 => "SIGIO",
        30 => "SIGPWR",
        31 => "SIGSYS",
        _ => $"signal {signal}",
    };
}
