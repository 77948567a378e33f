using Moq;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Application.Exports.RegisterExport;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Warming;

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
    [InlineData("node1", null, "File", "file or src_url is required")]
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

    [Theory]
    [InlineData("http://images.lab/pub/debian.img.zst", null, null, null)]
    [InlineData("http://images.lab/pub/a/b.qcow2", "qcow2", null, null)]
    [InlineData("http://images.lab/pub/x", "img.bz2", "ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789", null)]
    [InlineData("http://elsewhere.lab/debian.img", null, null, "SrcUrl")]
    [InlineData("http://images.lab/pub/../private/x", null, null, "SrcUrl")]
    [InlineData("http://images.lab.evil/debian.img", null, null, "SrcUrl")]
    [InlineData("file:///etc/passwd", null, null, "SrcUrl")]
    [InlineData("ftp://images.lab/debian.img", null, null, "SrcUrl")]
    [InlineData("http://user:pw@images.lab/pub/debian.img", null, null, "SrcUrl")]
    [InlineData("", null, null, "SrcUrl")]
    [InlineData("http://images.lab/pub/debian.img", "tar", null, "Format")]
    [InlineData("http://images.lab/pub/debian.img", null, "abc", "Sha256")]
    public void A_warm_names_an_allowed_http_source_a_known_format_and_a_sha256(string url, string? format, string? sha256, string? failing)
    {
        var result = Validate(new RegisterExportCommand("node1", null, true, SrcUrl: url, Format: format, Sha256: sha256));

        Assert.Equal(failing, result.Errors.Select(e => e.PropertyName).SingleOrDefault());
    }

    [Fact]
    public void File_and_src_url_together_or_neither_are_refused_saying_to_give_one()
    {
        _imageFiles.Setup(f => f.Inspect("/images/a.img")).Returns(ImageInspection.Servable(new ImageFile("/images/a.img", 1, new FileIdentity(1, 1))));

        var both = Assert.Single(Validate(new RegisterExportCommand("node1", "/images/a.img", true, SrcUrl: "http://images.lab/pub/a.img")).Errors);
        var neither = Assert.Single(Validate(new RegisterExportCommand("node1", null, true)).Errors);

        Assert.Contains("not both", both.ErrorMessage);
        Assert.Contains("file or src_url is required", neither.ErrorMessage);
    }

    [Fact]
    public void Format_and_sha256_without_src_url_are_refused()
    {
        _imageFiles.Setup(f => f.Inspect("/images/a.img")).Returns(ImageInspection.Servable(new ImageFile("/images/a.img", 1, new FileIdentity(1, 1))));

        var result = Validate(new RegisterExportCommand("node1", "/images/a.img", true, Format: "img", Sha256: new string('0', 64)));

        Assert.Equal(["Format", "Sha256"], result.Errors.Select(e => e.PropertyName));
    }

    [Fact]
    public void With_no_source_configured_a_warm_is_refused_naming_the_settings()
    {
        var validator = new RegisterExportCommandValidator(_imageFiles.Object, new WarmSources(new NbdmuxOptions()));

        var failure = Assert.Single(validator.Validate(new RegisterExportCommand("node1", null, true, SrcUrl: "http://images.lab/pub/a.img")).Errors);

        Assert.Contains("NBDMUX_WITHCACHE_URL", failure.ErrorMessage);
        Assert.Contains("NBDMUX_WARM_SOURCES", failure.ErrorMessage);
    }

    private FluentValidation.Results.ValidationResult Validate(RegisterExportCommand command) =>
        new RegisterExportCommandValidator(_imageFiles.Object, new WarmSources(new NbdmuxOptions { WarmSources = ["http://images.lab/pub/"] })).Validate(command);
}
