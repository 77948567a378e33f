using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.UnitTests.Domain;

public sealed class NodeNamesTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("rack1-node.07_b")]
    public void Host_name_characters_are_a_node_name(string name) =>
        Assert.Empty(new NbdmuxOptions { NodeName = name }.Validate(new(new object())));

    [Theory]
    [InlineData("")]
    [InlineData("-a")]
    [InlineData("a b")]
    [InlineData("node/1")]
    public void Anything_else_is_refused_naming_the_flag(string name) =>
        Assert.StartsWith("--node-name ", new NbdmuxOptions { NodeName = name }.Validate(new(new object())).Single().ErrorMessage);
}
