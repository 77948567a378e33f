namespace Nbdmux.Application.Exports;

/// <summary>
/// Where a target reaches nbdmux's NBD port (the host a caller used to reach nbdmux: it likely
/// reaches the NBD port the same way), and what a target runs there to use an export.
/// </summary>
public sealed record TargetAddress(string Host, int Port)
{
    /// <summary>Attaches the export as /dev/nbd0 from a running system.</summary>
    public string NbdClientCommand(string export) => $"nbd-client {Host} {Port} -name {export} /dev/nbd0";

    /// <summary>
    /// Boots from the export as a read-only root with its writes in RAM: Debian's nbd-client
    /// initramfs script (nbdroot=HOST:PORT/NAME, IPv6 in brackets) with deploy/ramboot's scripts.
    /// </summary>
    public string KernelCommandLine(string export) =>
        $"ip=dhcp nbdroot={(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port}/{export} root=/dev/nbd0 ro nbdmux.overlay=tmpfs";
}
