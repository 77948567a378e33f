using System.Net;
using System.Net.Sockets;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Nbd;

namespace Nbdmux.Infrastructure.DataPlane;

public enum ProbeOutcome
{
    /// <summary>Negotiated: a new client gets this export now.</summary>
    Served,

    /// <summary>The server knows the export but refuses this client (its authfile).</summary>
    Refused,

    /// <summary>The server has no export by that name.</summary>
    Unknown,

    /// <summary>Nothing answered NBD on the port.</summary>
    Unreachable,
}

/// <summary>What a probe found, and (when it was served) the address its session came from.</summary>
public sealed record ProbeResult(ProbeOutcome Outcome, string? Session = null);

/// <summary>Asks the live NBD port about an export, exactly as a booting target would.</summary>
public interface INbdProbe
{
    IPEndPoint Endpoint { get; }

    Task<ProbeResult> NegotiateAsync(string exportName, CancellationToken cancellationToken, TimeSpan? within = null);
}

/// <summary>Negotiates with nbdmux's own NBD client on the loopback side of the bind address.</summary>
public sealed class NbdProbe(NbdmuxOptions options) : INbdProbe
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);

    public IPEndPoint Endpoint { get; } = new(LoopbackFor(options.BindAddress()), options.NbdPort);

    public async Task<ProbeResult> NegotiateAsync(string exportName, CancellationToken cancellationToken, TimeSpan? within = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(within ?? DefaultTimeout);
        try
        {
            await using var connection = await NbdClient.ConnectAsync(Endpoint, exportName, timeout.Token);
            return new ProbeResult(ProbeOutcome.Served, connection.LocalEndPoint);
        }
        catch (NbdNegotiationException e) when (e.IsUnknownExport)
        {
            return new ProbeResult(ProbeOutcome.Unknown);
        }
        catch (NbdNegotiationException e) when (e.IsRefusedByPolicy)
        {
            return new ProbeResult(ProbeOutcome.Refused);
        }
        catch (Exception e) when (e is IOException or SocketException ||
                                  (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new ProbeResult(ProbeOutcome.Unreachable);
        }
    }

    private static IPAddress LoopbackFor(IPAddress bind) =>
        bind.Equals(IPAddress.Any) ? IPAddress.Loopback :
        bind.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback :
        bind;
}
