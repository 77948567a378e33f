using FluentValidation;
using Nbdmux.Domain;
using Nbdmux.Domain.Audit;

namespace Nbdmux.Application.Audit.GetAuditEvents;

public sealed class GetAuditEventsQueryValidator : AbstractValidator<GetAuditEventsQuery>
{
    /// <summary>Keeps the row offset within an int at the largest page size.</summary>
    private const int MaxPage = 1_000_000;

    public GetAuditEventsQueryValidator()
    {
        RuleFor(q => q.Page).InclusiveBetween(1, MaxPage).WithMessage($"page must be between 1 and {MaxPage}.");
        RuleFor(q => q.PageSize).InclusiveBetween(1, GetAuditEventsQuery.MaxPageSize)
            .WithMessage($"page_size must be between 1 and {GetAuditEventsQuery.MaxPageSize}.");
        RuleFor(q => q.Action).Must(action => EnumWords.TryParse<AuditAction>(action!, out _)).When(q => q.Action is not null)
            .WithMessage($"action must be one of: {string.Join(", ", EnumWords.All<AuditAction>())}.");
        RuleFor(q => q.Outcome).Must(outcome => EnumWords.TryParse<AuditOutcome>(outcome!, out _)).When(q => q.Outcome is not null)
            .WithMessage($"outcome must be one of: {string.Join(", ", EnumWords.All<AuditOutcome>())}.");
    }
}
