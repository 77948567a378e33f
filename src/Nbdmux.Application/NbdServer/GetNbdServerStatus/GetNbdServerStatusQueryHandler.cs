using MediatR;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Application.NbdServer.GetNbdServerStatus;

public sealed class GetNbdServerStatusQueryHandler(INbdServer nbdServer)
    : IRequestHandler<GetNbdServerStatusQuery, NbdServerStatus>
{
    public Task<NbdServerStatus> Handle(GetNbdServerStatusQuery query, CancellationToken cancellationToken) =>
        Task.FromResult(nbdServer.Status);
}
