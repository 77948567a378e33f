using MediatR;
using Microsoft.AspNetCore.Mvc;
using Nbdmux.Application.Audit;
using Nbdmux.Application.Audit.GetAuditEvents;

namespace Nbdmux.Api.Controllers;

[ApiController]
[Route("events")]
public sealed class EventsController(IMediator mediator) : ControllerBase
{
    [HttpGet]
    [EndpointName("ListEvents")]
    [EndpointSummary("The audit log: every attempted change and log-in, newest first, with who asked and what came of it.")]
    [ProducesResponseType<AuditEventPage>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public Task<AuditEventPage> List(
        [FromQuery] int page = 1,
        [FromQuery(Name = "page_size")] int pageSize = GetAuditEventsQuery.DefaultPageSize,
        [FromQuery] string? export = null,
        [FromQuery] string? action = null,
        [FromQuery] string? outcome = null,
        CancellationToken cancellationToken = default) =>
        mediator.Send(new GetAuditEventsQuery(page, pageSize, export, action, outcome), cancellationToken);
}
