namespace Nbdmux.Client;

/// <param name="IsHealthy">Whether nbd-server is running and answers NBD handshakes.</param>
/// <param name="Status">"ok", or the daemon's reason for being unhealthy.</param>
public sealed record NbdmuxHealth(bool IsHealthy, string Status);
