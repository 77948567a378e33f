using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using Nbdmux.Api.Dashboard;
using Nbdmux.Application.Audit;
using Nbdmux.Application.Audit.GetAuditEvents;

namespace Nbdmux.Api.Controllers;

/// <summary>
/// The audit log for operators. Not at /events, which machines read as JSON (and are refused
/// with a 401 problem rather than redirected to the log-in page).
/// </summary>
public sealed class AuditDashboardController(IMediator mediator) : Controller
{
    public const string Path = "/dashboard/events";

    [HttpGet(Path)]
    public async Task<IActionResult> Index(
        // From the query only: "action" is also MVC's route value naming this method.
        [FromQuery] string? export,
        [FromQuery] string? action,
        [FromQuery] string? outcome,
        [FromQuery] int page = 1,
        CancellationToken cancellationToken = default)
    {
        var filter = new GetAuditEventsQuery(page, GetAuditEventsQuery.DefaultPageSize, Blank(export), Blank(action), Blank(outcome));
        try
        {
            return View(new AuditLogPage(await mediator.Send(filter, cancellationToken), filter, null));
        }
        catch (ValidationException invalid)
        {
            var empty = new AuditEventPage([], filter.Page, filter.PageSize, 0);
            var refused = View(new AuditLogPage(empty, filter, string.Join(" ", invalid.Errors.Select(e => e.ErrorMessage))));
            refused.StatusCode = StatusCodes.Status400BadRequest;
            return refused;
        }
    }

    /// <summary>An empty filter field means "any".</summary>
    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
