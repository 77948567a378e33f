using FluentValidation;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Domain.Audit;

namespace Nbdmux.Application.Audit.GetAuditEvents;

public sealed class GetAuditEventsQueryValidator : AbstractValidator<GetAuditEventsQuery>
{
    /// <summary>Keeps the row offset within an int at the largest page size.</summary>
    private const int MaxPage = 1_000_000;

    private static readonly string[] Outcomes = [AuditEvent.Ok, AuditEvent.Refused, AuditEvent.Failed];

    public GetAuditEventsQueryValidator()
    {
        RuleFor(q => q.Page).InclusiveBetween(1, MaxPage).WithMessage($"page must be between 1 and {MaxPage}.");
        RuleFor(q => q.PageSize).InclusiveBetween(1, GetAuditEventsQuery.MaxPageSize)
            .WithMessage($"page_size must be between 1 and {GetAuditEventsQuery.MaxPageSize}.");
        RuleFor(q => q.Action).Must(action => AuditActions.All.Contains(action)).When(q => q.Action is not null)
            .WithMessage($"action must be one of: {string.Join(", ", AuditActions.All)}.");
        RuleFor(q => q.Outcome).Must(outcome => Outcomes.Contains(outcome)).When(q => q.Outcome is not null)
            .WithMessage($"outcome must be one of: {string.Join(", ", Outcomes)}.");
    }
}
