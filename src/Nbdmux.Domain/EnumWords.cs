namespace Nbdmux.Domain;

/// <summary>
/// The snake_case word of an enum value (WarmReady: warm_ready), as the API, the registry and the
/// audit log write it; the API's JSON converter uses the same rule, so a value reads the same
/// everywhere.
/// </summary>
public static class EnumWords
{
    public static string Of<T>(T value) where T : struct, Enum => Words<T>.ByValue[value];

    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Words<T>.InOrder;

    public static bool TryParse<T>(string word, out T value) where T : struct, Enum => Words<T>.ByWord.TryGetValue(word, out value);

    public static T Parse<T>(string word) where T : struct, Enum =>
        TryParse<T>(word, out var value) ? value : throw new FormatException($"'{word}' is not a {typeof(T).Name} word.");

    private static class Words<T> where T : struct, Enum
    {
        public static readonly Dictionary<T, string> ByValue = Enum.GetValues<T>().ToDictionary(value => value, value => SnakeCase(value.ToString()));
        public static readonly Dictionary<string, T> ByWord = ByValue.ToDictionary(pair => pair.Value, pair => pair.Key, StringComparer.Ordinal);
        public static readonly IReadOnlyList<string> InOrder = [.. ByValue.Values];
    }

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : $"{c}"));
}
