using System.Globalization;
using Nbdmux.Api;
using Nbdmux.Api.Configuration;
using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.DeployTests;

/// <summary>What the daemon actually accepts, read from its code.</summary>
public static class Settings
{
    public static IReadOnlyDictionary<string, string> FlagByVariable { get; } =
        NbdmuxSettings.Flags.ToDictionary(f => NbdmuxSettings.EnvironmentVariable(f.Key), f => f.Flag);

    public static IReadOnlyCollection<string> Variables => FlagByVariable.Keys.ToList();

    public static NbdmuxOptions Defaults { get; } = new();

    public static ApiOptions ApiDefaults { get; } = new();

    public static string ApiDll => typeof(NbdmuxApp).Assembly.GetName().Name + ".dll";

    /// <summary>The value nbdmux uses when neither flag nor variable is given.</summary>
    public static string DefaultOf(string variable)
    {
        var key = NbdmuxSettings.Flags.Single(f => NbdmuxSettings.EnvironmentVariable(f.Key) == variable).Key;
        var value = typeof(NbdmuxOptions).GetProperty(key) is { } nbd ? nbd.GetValue(Defaults) : typeof(ApiOptions).GetProperty(key)!.GetValue(ApiDefaults);
        // A list setting unset is an empty list: an empty variable.
        return value is IEnumerable<string> list ? string.Join(' ', list) : Convert.ToString(value, CultureInfo.InvariantCulture)!;
    }
}
