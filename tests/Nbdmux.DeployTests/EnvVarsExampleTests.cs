namespace Nbdmux.DeployTests;

public sealed class EnvVarsExampleTests
{
    /// <summary>How envvars.example marks a variable documented ahead of the code that reads it.</summary>
    private const string PendingMark = "Being added";

    private readonly IReadOnlyList<EnvVarsExample.Entry> _entries = EnvVarsExample.Read();

    [Fact]
    public void Every_setting_is_documented_once_with_its_flag()
    {
        foreach (var (variable, flag) in Settings.FlagByVariable)
        {
            var entry = Assert.Single(_entries, e => e.Variable == variable);
            Assert.Contains(flag + ":", entry.Comment);
        }
    }

    [Fact]
    public void Every_documented_variable_is_a_setting_or_marked_as_being_added()
    {
        Assert.All(_entries.Where(e => !Settings.Variables.Contains(e.Variable)),
            e => Assert.StartsWith(PendingMark, e.Comment));
    }

    [Fact]
    public void A_variable_marked_as_being_added_is_not_a_setting_yet()
    {
        Assert.All(_entries.Where(e => e.Comment.StartsWith(PendingMark, StringComparison.Ordinal)),
            e => Assert.DoesNotContain(e.Variable, Settings.Variables));
    }

    [Fact]
    public void Commented_values_are_what_the_image_uses_when_unset()
    {
        var image = new Containerfile().Environment;
        Assert.All(_entries.Where(e => e.Commented && Settings.Variables.Contains(e.Variable)),
            e => Assert.Equal(image.GetValueOrDefault(e.Variable) ?? Settings.DefaultOf(e.Variable), e.Value));
    }
}
