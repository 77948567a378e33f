using FluentValidation;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Application.Exports.RegisterExport;

public sealed class RegisterExportCommandValidator : AbstractValidator<RegisterExportCommand>
{
    public RegisterExportCommandValidator(IImageFiles imageFiles)
    {
        // One message per field: the first rule a value breaks is the one to fix.
        RuleLevelCascadeMode = CascadeMode.Stop;

        RuleFor(c => c.Name)
            .NotEmpty().WithMessage("name is required.")
            .Must(ExportName.IsValid).WithMessage(
                $"name must be 1 to {ExportName.MaxLength} letters, digits, '.', '_' or '-', starting with a letter or digit, and not '{ExportName.Reserved}'.");

        RuleFor(c => c.File)
            .NotEmpty().WithMessage("file is required: the absolute path of a raw image on the nbdmux host.")
            .Must(file => !file!.Any(char.IsControl)).WithMessage("file must not contain control characters.")
            .Must(file => Path.IsPathFullyQualified(file!)).WithMessage("file must be an absolute path (starting with '/').")
            .Custom((file, context) =>
            {
                var problem = imageFiles.Inspect(file!).Problem;
                if (problem is not null)
                {
                    context.AddFailure(nameof(RegisterExportCommand.File), problem);
                }
            });

        RuleFor(c => c.Readonly)
            .NotEqual(true).When(c => c.CopyOnWrite == true)
            .WithMessage("readonly cannot be true for a copy_on_write export: each client gets a private writable view; omit readonly.");

        RuleFor(c => c.Allow)
            .Custom((allow, context) =>
            {
                if (allow is not null && ExportAccess.AllowListProblem(allow) is { } problem)
                {
                    context.AddFailure(nameof(RegisterExportCommand.Allow), problem);
                }
            });
        RuleForEach(c => c.Allow)
            .Custom((entry, context) =>
            {
                if (!AllowEntry.TryParse(entry, out _, out var problem))
                {
                    context.AddFailure(problem);
                }
            })
            .When(c => c.Allow is not null && ExportAccess.AllowListProblem(c.Allow) is null);
    }
}
