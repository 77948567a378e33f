using MediatR;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Application.NbdServer.GetNbdServerStatus;

public sealed class GetNbdServerStatusQueryHandler(INbdServer nbdServer)
    : IRequestHandler<GetNbdServerStatusQuery, NbdServerOverview>
{
    public Task<NbdServerOverview> Handle(GetNbdServerStatusQuery query, CancellationToken cancellationToken) =>
        Task.FromResult(new NbdServerOverview(nbdServer.Status, nbdServer.OverlayBytes()));
}
