using MediatR;
using Microsoft.AspNetCore.Mvc;
using Nbdmux.Api.Dashboard;
using Nbdmux.Application.Exports;
using Nbdmux.Application.Exports.GetExport;
using Nbdmux.Application.Exports.GetExports;
using Nbdmux.Application.Exports.RegisterExport;
using Nbdmux.Application.Exports.RemoveExport;

namespace Nbdmux.Api.Controllers;

[ApiController]
[Route("exports")]
public sealed class ExportsController(IMediator mediator, NbdListener nbd) : ControllerBase
{
    /// <summary>Large enough for any valid request, small enough that nobody can make nbdmux buffer much.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    private const string Json = "application/json";
    private const string ProblemJson = "application/problem+json";

    /// <summary>Tells a 200 that replaced the name's file or access from one that found it already so.</summary>
    public const string OutcomeHeader = "Nbdmux-Outcome";

    [HttpGet]
    [EndpointName("ListExports")]
    [EndpointSummary("All exports, sorted by name.")]
    [ProducesResponseType<IReadOnlyList<ExportDto>>(StatusCodes.Status200OK, Json)]
    public Task<ExportList> List(CancellationToken cancellationToken) =>
        mediator.Send(new GetExportsQuery(Target), cancellationToken);

    [HttpGet("{name}")]
    [EndpointName("GetExport")]
    [EndpointSummary("One export by name.")]
    [ProducesResponseType<ExportDto>(StatusCodes.Status200OK, Json)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, ProblemJson)]
    public Task<ExportDto> Get(string name, CancellationToken cancellationToken) =>
        mediator.Send(new GetExportQuery(name, Target), cancellationToken);

    [HttpPost]
    [EndpointName("RegisterExport")]
    [EndpointSummary("Serve a file under a name, or fetch one from src_url and serve it once ready (status queued at first); re-registering a name replaces its file and mode (201 new, 200 replaced or unchanged, as the Nbdmux-Outcome header says).")]
    [Consumes("application/json")]
    [RequestSizeLimit(MaxBodyBytes)]
    [ProducesResponseType<ExportDto>(StatusCodes.Status201Created, Json)]
    [ProducesResponseType<ExportDto>(StatusCodes.Status200OK, Json)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, ProblemJson)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status413PayloadTooLarge, ProblemJson)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status415UnsupportedMediaType, ProblemJson)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, ProblemJson)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, ProblemJson)]
    public async Task<ActionResult<ExportDto>> Register(
        RegisterExportRequest request, [FromQuery] bool force, CancellationToken cancellationToken)
    {
        var command = new RegisterExportCommand(
            request.Name, request.File, request.Readonly, request.CopyOnWrite, request.Allow, request.SrcUrl, request.Format, request.Sha256)
        { Force = force, Target = Target };
        var result = await mediator.Send(command, cancellationToken);
        Response.Headers[OutcomeHeader] = result.Created ? "registered" : result.Changed ? "replaced" : "unchanged";
        return result.Created
            ? CreatedAtAction(nameof(Get), new { name = result.Export.Name }, result.Export)
            : Ok(result.Export);
    }

    /// <summary>Where targets reach the NBD port, for each record's nbd-client and kernel command lines.</summary>
    private TargetAddress Target => NbdEndpoint.For(Request, nbd.Port, nbd.Bind).Target;

    [HttpDelete("{name}")]
    [EndpointName("RemoveExport")]
    [EndpointSummary("Stop serving an export to new clients; connected clients keep their session.")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, ProblemJson)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, ProblemJson)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, ProblemJson)]
    public async Task<IActionResult> Remove(string name, [FromQuery] bool force, CancellationToken cancellationToken)
    {
        await mediator.Send(new RemoveExportCommand(name, force), cancellationToken);
        return NoContent();
    }
}
