using Nbdmux.Domain;
using Nbdmux.Domain.Exports;

namespace Nbdmux.UnitTests.Domain;

public class ExportWarmTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 6, 0, 0, TimeSpan.Zero);
    private static readonly WarmSource Source = new("http://images.lab/a.img.gz", WarmFormat.Gzip, null);

    [Fact]
    public void A_warm_walks_from_queued_through_fetching_to_ready_with_the_image_it_landed()
    {
        var export = Export.Warm("node1", "/images/node1.img", Source, ExportAccess.ReadOnlyForEveryone, Now);
        Assert.Equal((ExportStatus.Queued, true, (long?)0, (double?)null), (export.Status, export.IsWarming, export.BytesDone, export.Progress));

        export.WarmStarted(Now.AddSeconds(1), "a");
        export.WarmProgressed(ExportStatus.Fetching, 1234, 10_000);
        Assert.Equal((ExportStatus.Fetching, (double?)12.3), (export.Status, export.Progress));

        export.WarmReady(new ImageFile("/images/node1.img", 1 << 20, new FileIdentity(1, 2), PartitionTable.Gpt), Now.AddSeconds(9));
        Assert.Equal((ExportStatus.Ready, false, 1L << 20, PartitionTable.Gpt), (export.Status, export.IsWarming, export.SizeBytes, export.PartitionTable));
        Assert.Equal((Now.AddSeconds(1), Now.AddSeconds(9), Source), (export.StartedAt, export.CompletedAt, export.Source));
    }

    [Fact]
    public void Progress_is_null_without_a_total_and_never_above_100()
    {
        var export = Export.Warm("node1", "/images/node1.img", Source, ExportAccess.ReadOnlyForEveryone, Now);

        export.WarmProgressed(ExportStatus.Fetching, 500, null);
        Assert.Null(export.Progress);
        export.WarmProgressed(ExportStatus.Decompressing, 1500, 1000);
        Assert.Equal(100.0, export.Progress);
    }

    [Fact]
    public void The_same_source_asked_again_is_the_same_warm_unless_it_failed()
    {
        var export = Export.Warm("node1", "/images/node1.img", Source with { Format = null }, ExportAccess.ReadOnlyForEveryone, Now);
        export.WarmFormatFound(WarmFormat.Gzip);

        Assert.True(export.IsWarmedFrom(Source with { Format = null }, ExportAccess.ReadOnlyForEveryone));
        Assert.True(export.IsWarmedFrom(Source, ExportAccess.ReadOnlyForEveryone));
        Assert.False(export.IsWarmedFrom(Source with { Format = WarmFormat.Zstd }, ExportAccess.ReadOnlyForEveryone));
        Assert.False(export.IsWarmedFrom(Source with { Sha256 = new string('a', 64) }, ExportAccess.ReadOnlyForEveryone));
        Assert.False(export.IsWarmedFrom(Source, new ExportAccess(readOnly: false)));

        export.WarmFailed("answered 404", Now);
        Assert.False(export.IsWarmedFrom(Source, ExportAccess.ReadOnlyForEveryone));
    }

    [Fact]
    public void Registering_a_file_clears_every_warm_field()
    {
        var export = Export.Warm("node1", "/images/node1.img", Source, ExportAccess.ReadOnlyForEveryone, Now);
        export.WarmFailed("boom", Now);

        export.Replace(new ImageFile("/images/a.img", 512, new FileIdentity(1, 3)), ExportAccess.ReadOnlyForEveryone, Now);

        Assert.Equal((ExportStatus.Ready, (WarmSource?)null, (string?)null, (long?)null, (DateTimeOffset?)null), (export.Status, export.Source, export.Error, export.BytesDone, export.EnqueuedAt));
    }

    [Theory]
    [InlineData("http://x/a.img", WarmFormat.Raw)]
    [InlineData("http://x/a.raw", WarmFormat.Raw)]
    [InlineData("http://x/a.IMG.GZ", WarmFormat.Gzip)]
    [InlineData("http://x/a.img.zst?sig=1#top", WarmFormat.Zstd)]
    [InlineData("http://x/a.xz", WarmFormat.Xz)]
    [InlineData("http://x/a.img.bz2", WarmFormat.Bzip2)]
    [InlineData("http://x/a.qcow2", WarmFormat.Qcow2)]
    [InlineData("http://x/blobs/sha256:0123", null)]
    [InlineData("http://x/a.gz/", null)]
    public void The_format_is_taken_from_the_url_path_suffix(string url, string? format) =>
        Assert.Equal(format, WarmFormat.FromUrl(new Uri(url)));

    [Theory]
    [InlineData("queued", ExportStatus.Queued)]
    [InlineData("ready", ExportStatus.Ready)]
    [InlineData("decompressing", ExportStatus.Decompressing)]
    public void Status_words_are_snake_case_both_ways(string word, ExportStatus status)
    {
        Assert.Equal(word, EnumWords.Of(status));
        Assert.Equal(status, EnumWords.Parse<ExportStatus>(word));
    }

    [Fact]
    public void A_status_word_in_another_case_or_unknown_is_refused()
    {
        Assert.Throws<FormatException>(() => EnumWords.Parse<ExportStatus>("Ready"));
        Assert.Throws<FormatException>(() => EnumWords.Parse<ExportStatus>("active"));
    }
}
