using MediatR;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Application.NbdServer.GetNbdServerStatus;

/// <summary>The nbd-server process as the supervisor sees it right now, and the space its clients' overlays take.</summary>
public sealed record GetNbdServerStatusQuery : IRequest<NbdServerOverview>;

public sealed record NbdServerOverview(NbdServerStatus Status, long OverlayBytes);
