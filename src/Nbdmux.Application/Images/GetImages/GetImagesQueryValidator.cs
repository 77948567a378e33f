using FluentValidation;

namespace Nbdmux.Application.Images.GetImages;

public sealed class GetImagesQueryValidator : AbstractValidator<GetImagesQuery>
{
    /// <summary>Keeps the file offset within an int at the largest page size.</summary>
    private const int MaxPage = 1_000_000;

    public GetImagesQueryValidator()
    {
        RuleFor(q => q.Page).InclusiveBetween(1, MaxPage).WithMessage($"page must be between 1 and {MaxPage}.");
        RuleFor(q => q.PageSize).InclusiveBetween(1, GetImagesQuery.MaxPageSize)
            .WithMessage($"page_size must be between 1 and {GetImagesQuery.MaxPageSize}.");
    }
}
