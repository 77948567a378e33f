using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using Nbdmux.Api.Authentication;
using Nbdmux.Api.Dashboard;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Exports.GetExports;
using Nbdmux.Application.Exports.RegisterExport;
using Nbdmux.Application.Exports.RemoveExport;
using Nbdmux.Application.Images.GetImages;
using Nbdmux.Application.NbdServer.GetNbdServerStatus;
using Nbdmux.Application.Nodes.GetNodes;

namespace Nbdmux.Api.Controllers;

/// <summary>The operator's page: what is served, whether nbd-server is healthy, and the forms to change it.</summary>
[AutoValidateAntiforgeryToken]
public sealed class DashboardController(IMediator mediator, NbdListener nbd, AdminPassword password, TimeProvider clock)
    : Controller
{
    private const string NoticeKey = "notice";
    private const string ErrorKey = "error";

    [HttpGet("/")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken) =>
        View(await PageAsync(new AddExportForm(), TempData[ErrorKey] as string, addError: null, cancellationToken));

    /// <summary>Polled by dashboard.js to keep the page current without a reload.</summary>
    [HttpGet("/dashboard/live")]
    public async Task<IActionResult> Live(CancellationToken cancellationToken) =>
        PartialView("_Live", await LiveAsync(cancellationToken));

    [HttpPost("/dashboard/exports")]
    public async Task<IActionResult> Add([FromForm] AddExportForm form, CancellationToken cancellationToken)
    {
        try
        {
            var result = await mediator.Send(form.ToCommand() with { Target = Endpoint.Target }, cancellationToken);
            TempData[NoticeKey] = result.Created ? $"Export {result.Export.Name} added."
                : result.Changed ? $"Export {result.Export.Name} now serves {result.Export.File}."
                : $"Export {result.Export.Name} already served {result.Export.File} so; nothing changed.";
            return RedirectToAction(nameof(Index));
        }
        catch (ValidationException invalid)
        {
            foreach (var failure in invalid.Errors)
            {
                ModelState.AddModelError(failure.PropertyName, failure.ErrorMessage);
            }

            return await PageWithStatusAsync(form, null, ErrorStatus.Of(invalid)!.Value, cancellationToken);
        }
        catch (Exception refused) when (ErrorStatus.Of(refused) is { } status)
        {
            return await PageWithStatusAsync(form, refused.Message, status, cancellationToken);
        }
    }

    [HttpPost("/dashboard/exports/remove")]
    public async Task<IActionResult> Remove([FromForm] string? name, [FromQuery] bool force, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(name))
        {
            return BadRequest();
        }

        try
        {
            await mediator.Send(new RemoveExportCommand(name, force), cancellationToken);
            TempData[NoticeKey] = force
                ? $"Export {name} removed and its clients disconnected."
                : $"Export {name} removed.";
        }
        catch (NotFoundException)
        {
            TempData[NoticeKey] = $"Export {name} was already removed.";
        }
        catch (Exception refused) when (ErrorStatus.Of(refused) is not null)
        {
            TempData[ErrorKey] = refused.Message;
        }

        return RedirectToAction(nameof(Index));
    }

    private async Task<IActionResult> PageWithStatusAsync(AddExportForm form, string? error, int status, CancellationToken cancellationToken)
    {
        var page = View(nameof(Index), await PageAsync(form, removeError: null, error, cancellationToken));
        page.StatusCode = status;
        return page;
    }

    private async Task<DashboardPage> PageAsync(AddExportForm form, string? removeError, string? addError, CancellationToken cancellationToken) =>
        new(await LiveAsync(cancellationToken), form, TempData[NoticeKey] as string, removeError, addError,
            await mediator.Send(new GetImagesQuery(1, GetImagesQuery.MaxPageSize), cancellationToken));

    private async Task<DashboardLive> LiveAsync(CancellationToken cancellationToken)
    {
        var exports = await mediator.Send(new GetExportsQuery(Endpoint.Target), cancellationToken);
        var server = await mediator.Send(new GetNbdServerStatusQuery(), cancellationToken);
        var nodes = await mediator.Send(new GetNodesQuery(), cancellationToken);
        return new DashboardLive(
            exports,
            server.Status,
            server.OverlayBytes,
            Endpoint,
        $"{Request.Scheme}://{Request.Host}",
            password.IsRequired,
            clock.GetUtcNow(),
            nodes);
    }

    private NbdEndpoint Endpoint => NbdEndpoint.For(Request, nbd.Port, nbd.Bind);
}
