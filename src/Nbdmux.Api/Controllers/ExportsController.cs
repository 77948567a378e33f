using MediatR;
using Microsoft.AspNetCore.Mvc;
using Nbdmux.Application.Exports;
using Nbdmux.Application.Exports.GetExport;
using Nbdmux.Application.Exports.GetExports;
using Nbdmux.Application.Exports.RegisterExport;
using Nbdmux.Application.Exports.RemoveExport;

namespace Nbdmux.Api.Controllers;

[ApiController]
[Route("exports")]
public sealed class ExportsController(IMediator mediator) : ControllerBase
{
    /// <summary>Large enough for any valid request, small enough that nobody can make nbdmux buffer much.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    [HttpGet]
    public Task<IReadOnlyList<ExportDto>> List(CancellationToken cancellationToken) =>
        mediator.Send(new GetExportsQuery(), cancellationToken);

    [HttpGet("{name}")]
    public Task<ExportDto> Get(string name, CancellationToken cancellationToken) =>
        mediator.Send(new GetExportQuery(name), cancellationToken);

    [HttpPost]
    [Consumes("application/json")]
    [RequestSizeLimit(MaxBodyBytes)]
    public async Task<ActionResult<ExportDto>> Register(
        RegisterExportCommand command, [FromQuery] bool force, CancellationToken cancellationToken)
    {
        var result = await mediator.Send(command with { Force = force }, cancellationToken);
        return result.Created
            ? CreatedAtAction(nameof(Get), new { name = result.Export.Name }, result.Export)
            : Ok(result.Export);
    }

    [HttpDelete("{name}")]
    public async Task<IActionResult> Remove(string name, [FromQuery] bool force, CancellationToken cancellationToken)
    {
        await mediator.Send(new RemoveExportCommand(name, force), cancellationToken);
        return NoContent();
    }
}
