namespace Nbdmux.Bench;

/// <summary>The daemons a run puts side by side, each measured with the same client code.</summary>
public enum Daemon
{
    /// <summary>nbdmux with <c>--nbd-backend nbdkit</c>: its plugin looks every export up at each client's open.</summary>
    Nbdkit,

    /// <summary>nbdmux with <c>--nbd-backend nbd-server</c>: a listener restart for each new export name.</summary>
    NbdServer,

    /// <summary>The Python nbdmux 0.2.1 that nbdmux replaces (../shared/reference).</summary>
    Reference,
}

public static class Daemons
{
    public static readonly IReadOnlyList<Daemon> All = [Daemon.Nbdkit, Daemon.NbdServer, Daemon.Reference];

    /// <summary>The two backends of this nbdmux.</summary>
    public static readonly IReadOnlyList<Daemon> Backends = [Daemon.Nbdkit, Daemon.NbdServer];

    public static string Title(this Daemon daemon) => daemon switch
    {
        Daemon.Nbdkit => "nbdmux on nbdkit",
        Daemon.NbdServer => "nbdmux on nbd-server",
        _ => "nbdmux 0.2.1 (Python)",
    };

    /// <summary>The value of nbdmux's --nbd-backend that runs this daemon.</summary>
    public static string BackendOption(this Daemon daemon) => daemon switch
    {
        Daemon.Nbdkit => "nbdkit",
        Daemon.NbdServer => "nbd-server",
        _ => throw new ArgumentOutOfRangeException(nameof(daemon), daemon, "0.2.1 has no backend option"),
    };
}
