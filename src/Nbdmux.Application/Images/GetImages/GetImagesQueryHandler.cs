using MediatR;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Application.Images.GetImages;

public sealed class GetImagesQueryHandler(IImageCatalog catalog, IImageFiles imageFiles, IExportStore store)
    : IRequestHandler<GetImagesQuery, ImagePage>
{
    public async Task<ImagePage> Handle(GetImagesQuery query, CancellationToken cancellationToken)
    {
        var files = catalog.Files();
        var exports = await store.ListAsync(cancellationToken);
        var page = files.Skip((query.Page - 1) * query.PageSize).Take(query.PageSize).Select(file =>
        {
            var inspection = imageFiles.Inspect(file.Path);
            return new ImageDto(
                file.Path,
                inspection.Image?.SizeBytes ?? file.SizeBytes,
                inspection.Image is not null,
                inspection.Problem,
                inspection.Image?.PartitionTable,
                exports.Where(export => export.FilePath == file.Path).Select(export => export.Name).ToList());
        }).ToList();
        return new ImagePage(catalog.Roots, page, query.Page, query.PageSize, files.Count);
    }
}
