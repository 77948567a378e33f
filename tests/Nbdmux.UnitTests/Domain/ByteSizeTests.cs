using Nbdmux.Domain;

namespace Nbdmux.UnitTests.Domain;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(512, "512 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1024, "1 KiB")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(3L << 20, "3 MiB")]
    [InlineData(412L << 20, "412 MiB")]
    [InlineData((412L << 20) + (300L << 10), "412 MiB")]
    [InlineData((99L << 20) + (921L << 10), "99.9 MiB")]
    [InlineData(3L << 29, "1.5 GiB")]
    [InlineData(20L << 30, "20 GiB")]
    [InlineData(long.MaxValue, "8 EiB")]
    public void A_size_is_shown_in_binary_units_with_a_decimal_only_where_it_says_something(long bytes, string shown)
    {
        Assert.Equal(shown, ByteSize.Describe(bytes));
    }
}
