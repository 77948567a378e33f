using MediatR;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Application.NbdServer.GetNbdServerStatus;

/// <summary>The nbd-server process as the supervisor sees it right now.</summary>
public sealed record GetNbdServerStatusQuery : IRequest<NbdServerStatus>;
