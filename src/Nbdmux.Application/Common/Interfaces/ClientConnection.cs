namespace Nbdmux.Application.Common.Interfaces;

/// <summary>A client connected to an export right now; <paramref name="Id"/> identifies it to <see cref="INbdServer.DisconnectAsync"/>.</summary>
public sealed record ClientConnection(string Id, string Export, string Peer, DateTimeOffset Since);
