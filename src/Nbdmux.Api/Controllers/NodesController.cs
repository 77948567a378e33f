using MediatR;
using Microsoft.AspNetCore.Mvc;
using Nbdmux.Application.Nodes;
using Nbdmux.Application.Nodes.GetNodes;

namespace Nbdmux.Api.Controllers;

[ApiController]
[Route("nodes")]
public sealed class NodesController(IMediator mediator) : ControllerBase
{
    [HttpGet]
    [EndpointName("ListNodes")]
    [EndpointSummary("The nodes that share the registry, with their heartbeats, what they serve and how far they lag behind it.")]
    [ProducesResponseType<IReadOnlyList<NodeDto>>(StatusCodes.Status200OK, "application/json")]
    public Task<IReadOnlyList<NodeDto>> List(CancellationToken cancellationToken) => mediator.Send(new GetNodesQuery(), cancellationToken);
}
