using System.ComponentModel;
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
        [FromQuery, Description("Page number, from 1 (the newest events).")] int page = 1,
        [FromQuery(Name = "page_size"), Description("Events per page, 1 to 500.")] int pageSize = GetAuditEventsQuery.DefaultPageSize,
        [FromQuery, Description("Only events about this export name.")] string? export = null,
        [FromQuery, Description("Only this action, one of the words of AuditAction (register, remove, warm_ready, ...).")] string? action = null,
        [FromQuery, Description("Only this outcome, one of the words of AuditOutcome (ok, refused or failed).")] string? outcome = null,
        CancellationToken cancellationToken = default) =>
        mediator.Send(new GetAuditEventsQuery(page, pageSize, export, action, outcome), cancellationToken);
}
