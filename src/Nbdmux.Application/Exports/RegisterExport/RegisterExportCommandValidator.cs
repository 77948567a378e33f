using FluentValidation;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Application.Exports.RegisterExport;

public sealed class RegisterExportCommandValidator : AbstractValidator<RegisterExportCommand>
{
    public RegisterExportCommandValidator(IImageFiles imageFiles, IWarmSources warmSources)
    {
        // One message per field: the first rule a value breaks is the one to fix.
        RuleLevelCascadeMode = CascadeMode.Stop;

        RuleFor(c => c.Name)
            .NotEmpty().WithMessage("name is required.")
            .Must(ExportName.IsValid).WithMessage(
                $"name must be 1 to {ExportName.MaxLength} letters, digits, '.', '_' or '-', starting with a letter or digit, and not '{ExportName.Reserved}'.");

        RuleFor(c => c.File)
            .Null().When(c => c.SrcUrl is not null)
            .WithMessage("give file or src_url, not both: file serves an image already on the nbdmux host, src_url has nbdmux fetch one.");

        RuleFor(c => c.File)
            .NotEmpty().WithMessage("file or src_url is required: the absolute path of a raw image on the nbdmux host, or the URL nbdmux fetches the image from.")
            .Must(file => !file!.Any(char.IsControl)).WithMessage("file must not contain control characters.")
            .Must(file => Path.IsPathFullyQualified(file!)).WithMessage("file must be an absolute path (starting with '/').")
            .Custom((file, context) =>
            {
                var problem = imageFiles.Inspect(file!).Problem;
                if (problem is not null)
                {
                    context.AddFailure(nameof(RegisterExportCommand.File), problem);
                }
            })
            .When(c => c.SrcUrl is null);

        RuleFor(c => c.SrcUrl)
            .NotEmpty().WithMessage("src_url must not be empty: give the http or https URL of the image.")
            .Must(url => !url!.Any(char.IsControl)).WithMessage("src_url must not contain control characters.")
            .Must(url => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0)
            .WithMessage("src_url must be an absolute http or https URL without credentials (e.g. https://images.example/debian12.img.zst).")
            .Custom((url, context) =>
            {
                if (warmSources.Resolve(url!).Problem is { } problem)
                {
                    context.AddFailure(nameof(RegisterExportCommand.SrcUrl), problem);
                }
            })
            .When(c => c.SrcUrl is not null);

        RuleFor(c => c.Format)
            .Null().WithMessage("format applies only with src_url.")
            .When(c => c.SrcUrl is null);
        RuleFor(c => c.Format)
            .Must(format => WarmFormat.All.Contains(format))
            .WithMessage($"format must be one of {string.Join(", ", WarmFormat.All)}; omit it to take it from the URL's suffix or the first bytes.")
            .When(c => c.Format is not null && c.SrcUrl is not null);

        RuleFor(c => c.Sha256)
            .Null().WithMessage("sha256 applies only with src_url.")
            .When(c => c.SrcUrl is null);
        RuleFor(c => c.Sha256)
            .Must(sha => sha!.Length == 64 && sha.All(char.IsAsciiHexDigit))
            .WithMessage("sha256 must be 64 hex digits: the SHA-256 of the raw (unpacked) image.")
            .When(c => c.Sha256 is not null && c.SrcUrl is not null);

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
