using System.Net;
using Nbdmux.Domain.Exports;

namespace Nbdmux.UnitTests.Domain;

public class AllowEntryTests
{
    [Theory]
    [InlineData("10.1.2.3", "10.1.2.3", "10.1.2.3/32")]
    [InlineData("10.0.0.0/8", "10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("10.0.0.0/08", "10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("192.168.7.9/32", "192.168.7.9/32", "192.168.7.9/32")]
    [InlineData("::1", "::1", "::1/128")]
    [InlineData("fd00::/64", "fd00::/64", "fd00::/64")]
    [InlineData("FD00:0:0:0::/64", "fd00::/64", "fd00::/64")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1", "2001:db8::1/128")]
    [InlineData("::ffff:10.0.0.1", "::ffff:10.0.0.1", "::ffff:10.0.0.1/128")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128")]
    public void An_address_or_network_is_kept_in_canonical_form(string entry, string text, string network)
    {
        var parsed = AllowEntry.Parse(entry);

        Assert.Equal((text, network), (parsed.Text, parsed.Network.ToString()));
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("fe80::1%\n0.0.0.0/0", "control or line-separator characters")]
    [InlineData("10.0.0.1\n0.0.0.0/0", "control or line-separator characters")]
    [InlineData("10.0.0.1\r", "control or line-separator characters")]
    [InlineData("10.0.0.1\0", "control or line-separator characters")]
    [InlineData("10.0.0.1\u0085", "control or line-separator characters")]
    [InlineData("10.0.0.1\u2028::/0", "control or line-separator characters")]
    [InlineData("10.0.0.1\u2029", "control or line-separator characters")]
    [InlineData("10.0.0.1 ", "contains whitespace")]
    [InlineData(" 10.0.0.1", "contains whitespace")]
    [InlineData("10.0.0.0 /8", "contains whitespace")]
    [InlineData("10.0.0.1\u00a0", "contains whitespace")]
    [InlineData("fe80::1%eth0", "has a scope id")]
    [InlineData("fe80::1%2/64", "has a scope id")]
    [InlineData("fe80::1%", "has a scope id")]
    [InlineData("0000:0000:0000:0000:0000:0000:0000:0000:0000:0/128", "is longer than 49 characters")]
    [InlineData("10.1.2.3/16", "'10.1.2.3/16' has host bits set; did you mean 10.1.0.0/16?")]
    [InlineData("fd00::1/64", "has host bits set; did you mean fd00::/64?")]
    [InlineData("10.0.0.0/33", "is not an IP address or CIDR network")]
    [InlineData("::/129", "is not an IP address or CIDR network")]
    [InlineData("10.0.0.0/", "is not an IP address or CIDR network")]
    [InlineData("10.0.0.0/+8", "is not an IP address or CIDR network")]
    [InlineData("10.0.0.0/8/8", "is not an IP address or CIDR network")]
    [InlineData("example.org", "is not an IP address or CIDR network")]
    [InlineData("10.1", "is not an IP address or CIDR network")]
    [InlineData("10.1/16", "is not an IP address or CIDR network")]
    [InlineData("1", "is not an IP address or CIDR network")]
    [InlineData("010.1.2.3", "is not an IP address or CIDR network")]
    [InlineData("0x0a.0.0.1", "is not an IP address or CIDR network")]
    [InlineData("4294967295", "is not an IP address or CIDR network")]
    [InlineData("[::1]", "is not an IP address or CIDR network")]
    [InlineData("[::1]:80", "is not an IP address or CIDR network")]
    [InlineData("10.0.0.1:80", "is not an IP address or CIDR network")]
    public void Anything_else_is_refused_saying_why(string entry, string problem)
    {
        Assert.False(AllowEntry.TryParse(entry, out _, out var refusal));
        Assert.Contains(problem, refusal);
        Assert.Contains(problem, Assert.Throws<ArgumentException>(() => AllowEntry.Parse(entry)).Message);
    }

    [Fact]
    public void Null_is_refused() => Assert.False(AllowEntry.TryParse(null, out _, out _));

    [Fact]
    public void A_refusal_never_quotes_control_or_line_separator_characters()
    {
        Assert.False(AllowEntry.TryParse("fe80::1%\n0.0.0.0/0", out _, out var problem));

        Assert.DoesNotContain(problem!, c => char.IsControl(c) || c is '\u2028' or '\u2029');
    }

    [Fact]
    public void Access_keeps_canonical_text_and_the_parsed_networks()
    {
        var access = new ExportAccess(true, allow: ["10.1.2.3", "FD00:0::/64"]);

        Assert.Equal(["10.1.2.3", "fd00::/64"], access.Allow);
        Assert.Equal([IPNetwork.Parse("10.1.2.3/32"), IPNetwork.Parse("fd00::/64")], access.Networks);
    }

    [Fact]
    public void Access_for_everyone_has_no_networks() => Assert.Null(ExportAccess.ReadOnlyForEveryone.Networks);

    [Fact]
    public void Access_refuses_a_bad_entry() =>
        Assert.Throws<ArgumentException>(() => new ExportAccess(true, allow: ["10.0.0.1", "fe80::1%\n0.0.0.0/0"]));

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(ExportAccess.MaxAllowEntries, true)]
    [InlineData(ExportAccess.MaxAllowEntries + 1, false)]
    public void Access_lists_one_to_256_entries(int count, bool valid)
    {
        var allow = Enumerable.Range(0, count).Select(i => $"10.0.{i / 256}.{i % 256}").ToList();

        Assert.Equal(valid, ExportAccess.AllowListProblem(allow) is null);
        Assert.Equal(valid, Record.Exception(() => new ExportAccess(true, allow: allow)) is null);
    }
}
