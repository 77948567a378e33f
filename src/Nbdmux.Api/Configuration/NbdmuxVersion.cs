using System.Reflection;

namespace Nbdmux.Api.Configuration;

public static class NbdmuxVersion
{
    /// <summary>The build's version (with the commit it was built from, where the SDK knew it).</summary>
    public static string Current { get; } =
        typeof(NbdmuxVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
