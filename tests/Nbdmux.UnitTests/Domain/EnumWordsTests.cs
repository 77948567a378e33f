using System.Text.Json;
using Nbdmux.Domain;
using Nbdmux.Domain.Audit;
using Nbdmux.Domain.Exports;

namespace Nbdmux.UnitTests.Domain;

public sealed class EnumWordsTests
{
    /// <summary>The words the audit log held while these were strings: its rows and the API's answers keep them.</summary>
    [Fact]
    public void Audit_words_are_the_ones_the_log_has_always_held()
    {
        Assert.Equal(["register", "replace", "remove", "login", "warm", "warm_ready", "warm_failed", "warm_cancelled", "withhold"], EnumWords.All<AuditAction>());
        Assert.Equal(["ok", "refused", "failed"], EnumWords.All<AuditOutcome>());
        Assert.Equal(["bearer", "cookie", "open", "none", "system"], EnumWords.All<AuditAuthentication>());
        Assert.Equal(["none", "mbr", "gpt"], EnumWords.All<PartitionTable>());
    }

    /// <summary>The API's JSON converter names enums by its own snake_case rule: both must give the same word.</summary>
    [Fact]
    public void Every_word_is_the_one_the_json_converter_writes_and_reads_back()
    {
        AssertSameAsJson<AuditAction>();
        AssertSameAsJson<AuditOutcome>();
        AssertSameAsJson<AuditAuthentication>();
        AssertSameAsJson<ExportStatus>();
        AssertSameAsJson<PartitionTable>();
    }

    [Fact]
    public void A_word_in_another_spelling_is_not_parsed()
    {
        Assert.False(EnumWords.TryParse<AuditAction>("WarmReady", out _));
        Assert.False(EnumWords.TryParse<AuditAction>("warm-ready", out _));
        Assert.Throws<FormatException>(() => EnumWords.Parse<AuditOutcome>("OK"));
    }

    private static void AssertSameAsJson<T>() where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
        {
            var word = EnumWords.Of(value);
            Assert.Equal(JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString()), word);
            Assert.Equal(value, EnumWords.Parse<T>(word));
        }
    }
}
