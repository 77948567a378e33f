using MediatR;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Application.Nodes.GetNodes;

public sealed class GetNodesQueryHandler(IClusterNodes nodes, TimeProvider clock) : IRequestHandler<GetNodesQuery, IReadOnlyList<NodeDto>>
{
    public async Task<IReadOnlyList<NodeDto>> Handle(GetNodesQuery query, CancellationToken cancellationToken)
    {
        var cluster = await nodes.ReadAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return cluster.Nodes.OrderBy(n => n.Name, StringComparer.Ordinal).Select(n => NodeDto.From(n, cluster.Revision, cluster.LocalName, now)).ToList();
    }
}
