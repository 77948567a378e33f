using System.Net;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Nbdkit;

namespace Nbdmux.UnitTests.Infrastructure.Nbdkit;

public class ExportRecordTests
{
    private static readonly PublishedImage Image = new("/srv/images", 2049, 128, "debian/12.img", 2049, 4711);

    [Fact]
    public void A_read_only_export_for_everyone_is_rendered_key_by_key_in_the_plugins_order()
    {
        Assert.Equal(
            "version=1\nroot=/srv/images\nroot_dev=2049\nroot_ino=128\npath=debian/12.img\ndev=2049\nino=4711\n" +
            "mode=ro\nallow=everyone\n",
            ExportRecord.Render(Image, ExportAccess.ReadOnlyForEveryone));
    }

    [Fact]
    public void An_allow_list_becomes_one_canonical_network_per_line()
    {
        var access = new ExportAccess(readOnly: false, copyOnWrite: true, allow: ["10.1.2.3", "10.1.0.0/16", "fd00::/64", "::1"]);

        Assert.EndsWith(
            "mode=cow\nallow=10.1.2.3/32\nallow=10.1.0.0/16\nallow=fd00::/64\nallow=::1/128\n",
            ExportRecord.Render(Image, access));
    }

    [Fact]
    public void A_writable_export_is_mode_rw()
    {
        Assert.Contains("\nmode=rw\n", ExportRecord.Render(Image, new ExportAccess(readOnly: false)));
    }

    [Theory]
    [InlineData("fe80::1%2", 128, "fe80::1/128")]                 // the plugin takes no scope id
    [InlineData("::ffff:10.0.0.7", 128, "10.0.0.7/32")]           // compared as IPv4, as the plugin sees such a client
    [InlineData("::ffff:10.0.0.0", 104, "10.0.0.0/8")]
    [InlineData("::ffff:0:102:304", 128, "::ffff:0:102:304/128")] // .NET writes ::ffff:0:1.2.3.4, inet_ntop does not
    [InlineData("::2:3", 128, "::0.2.0.3/128")]
    [InlineData("2001:DB8:0:0:1:0:0:1", 128, "2001:db8::1:0:0:1/128")]
    [InlineData("0.0.0.0", 0, "0.0.0.0/0")]
    public void Networks_are_spelled_as_the_c_library_spells_them(string address, int prefix, string spelled)
    {
        Assert.Equal(spelled, ExportRecord.Spelled(new IPNetwork(IPAddress.Parse(address), prefix)));
    }
}
