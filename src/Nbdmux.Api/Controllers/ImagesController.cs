using System.ComponentModel;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using Nbdmux.Application.Images;
using Nbdmux.Application.Images.GetImages;

namespace Nbdmux.Api.Controllers;

[ApiController]
[Route("images")]
public sealed class ImagesController(IMediator mediator) : ControllerBase
{
    [HttpGet]
    [EndpointName("ListImages")]
    [EndpointSummary("The files beneath the image roots (what an export can serve), sorted by path, with whether each can be exported and which exports serve it.")]
    [ProducesResponseType<ImagePage>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public Task<ImagePage> List(
        [FromQuery, Description("Page number, from 1.")] int page = 1,
        [FromQuery(Name = "page_size"), Description("Files per page, 1 to 1000.")] int pageSize = GetImagesQuery.DefaultPageSize,
        CancellationToken cancellationToken = default) =>
        mediator.Send(new GetImagesQuery(page, pageSize), cancellationToken);
}
