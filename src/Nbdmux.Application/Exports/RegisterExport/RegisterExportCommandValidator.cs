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
            .Must(allow => allow!.Count > 0).When(c => c.Allow is not null)
            .WithMessage("allow must list at least one address or network; omit it to admit every client.");
        RuleForEach(c => c.Allow)
            .Must(ExportAccess.IsAddressOrNetwork)
            .WithMessage((_, entry) => $"allow entry '{entry}' is not an IP address or CIDR network (e.g. 10.1.2.3, 10.1.0.0/16, fd00::/64).");
    }
}
