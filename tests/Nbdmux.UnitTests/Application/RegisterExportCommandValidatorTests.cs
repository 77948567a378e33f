using Moq;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Application.Exports.RegisterExport;
using Nbdmux.Domain.Exports;

namespace Nbdmux.UnitTests.Application;

public class RegisterExportCommandValidatorTests
{
    private readonly Mock<IImageFiles> _imageFiles = new();

    public RegisterExportCommandValidatorTests() =>
        _imageFiles.Setup(f => f.Inspect(It.IsAny<string>()))
            .Returns((string path) => ImageInspection.Servable(new ImageFile(path, 512, new FileIdentity(1, 2))));

    [Fact]
    public void A_valid_command_passes() =>
        Assert.True(Validate(new RegisterExportCommand("node1", "/images/a.img", true)).IsValid);

    [Theory]
    [InlineData(null, "/images/a.img", "Name", "name is required")]
    [InlineData("bad name", "/images/a.img", "Name", "name must be")]
    [InlineData("node1", null, "File", "file is required")]
    [InlineData("node1", "images/a.img", "File", "absolute path")]
    [InlineData("node1", "/images/a\n.img", "File", "control characters")]
    public void Each_rule_names_what_to_fix(string? name, string? file, string property, string message)
    {
        var result = Validate(new RegisterExportCommand(name, file, true));

        var failure = Assert.Single(result.Errors);
        Assert.Equal(property, failure.PropertyName);
        Assert.Contains(message, failure.ErrorMessage);
    }

    [Fact]
    public void The_image_files_problem_is_reported_for_file()
    {
        _imageFiles.Setup(f => f.Inspect("/images/missing.img"))
            .Returns(ImageInspection.Refused("file '/images/missing.img' does not exist on the nbdmux host."));

        var failure = Assert.Single(Validate(new RegisterExportCommand("node1", "/images/missing.img", true)).Errors);

        Assert.Equal(("File", "file '/images/missing.img' does not exist on the nbdmux host."), (failure.PropertyName, failure.ErrorMessage));
    }

    [Fact]
    public void The_first_bad_allow_entry_is_reported_with_its_reason()
    {
        var result = Validate(new RegisterExportCommand("node1", "/images/a.img", true, Allow: ["10.0.0.0/8", "10.1.2.3/16", "fe80::1%eth0"]));

        var failure = Assert.Single(result.Errors);
        Assert.Equal(("Allow[1]", "allow entry '10.1.2.3/16' has host bits set; did you mean 10.1.0.0/16?"), (failure.PropertyName, failure.ErrorMessage));
    }

    [Fact]
    public void An_allow_list_that_is_too_long_is_one_failure_not_one_per_entry()
    {
        var allow = Enumerable.Range(0, ExportAccess.MaxAllowEntries + 1).Select(i => $"10.0.{i / 256}.{i % 256}").ToList();

        var failure = Assert.Single(Validate(new RegisterExportCommand("node1", "/images/a.img", true, Allow: allow)).Errors);

        Assert.Equal(("Allow", "allow lists 257 entries, more than 256; admit whole networks instead (e.g. 10.1.0.0/16)."), (failure.PropertyName, failure.ErrorMessage));
    }

    private FluentValidation.Results.ValidationResult Validate(RegisterExportCommand command) =>
        new RegisterExportCommandValidator(_imageFiles.Object).Validate(command);
}
