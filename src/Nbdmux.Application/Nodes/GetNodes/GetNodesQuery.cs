using MediatR;

namespace Nbdmux.Application.Nodes.GetNodes;

/// <summary>Every node that shares the registry, sorted by name.</summary>
public sealed record GetNodesQuery : IRequest<IReadOnlyList<NodeDto>>;
