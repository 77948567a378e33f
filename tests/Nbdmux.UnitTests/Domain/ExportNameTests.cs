using Nbdmux.Domain.Exports;

namespace Nbdmux.UnitTests.Domain;

public class ExportNameTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("rack1-node07")]
    [InlineData("debian-12.img")]
    [InlineData("A_b.c-d")]
    [InlineData("0")]
    public void Accepts_names_a_target_can_ask_for(string name) => Assert.True(ExportName.IsValid(name));

    [Theory]
    [InlineData("")]
    [InlineData("-leading-dash")]
    [InlineData(".hidden")]
    [InlineData("_under")]
    [InlineData("has space")]
    [InlineData("inject]\n[other")]
    [InlineData("a=b")]
    [InlineData("a#b")]
    [InlineData("a;b")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("tab\tname")]
    [InlineData("ünïcode")]
    [InlineData("generic")]
    [InlineData("node1\n")]
    [InlineData("node1\r\n")]
    [InlineData("node1\r")]
    [InlineData("node1\0")]
    [InlineData("node\u00851")]
    [InlineData("node\u20281")]
    [InlineData("node1\u2029")]
    [InlineData("node\u00a01")]
    [InlineData("node\uff11")]
    public void Refuses_names_that_could_break_nbd_server_config(string name) => Assert.False(ExportName.IsValid(name));

    [Fact]
    public void Refuses_null() => Assert.False(ExportName.IsValid(null));

    [Fact]
    public void Allows_up_to_64_characters()
    {
        Assert.True(ExportName.IsValid(new string('a', 64)));
        Assert.False(ExportName.IsValid(new string('a', 65)));
    }
}
