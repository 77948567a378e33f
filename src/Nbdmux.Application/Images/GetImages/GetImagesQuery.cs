using MediatR;

namespace Nbdmux.Application.Images.GetImages;

/// <summary>A page of the files beneath the image roots, sorted by path, each with whether it can be exported.</summary>
public sealed record GetImagesQuery(int Page = 1, int PageSize = GetImagesQuery.DefaultPageSize) : IRequest<ImagePage>
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;
}
