namespace Nbdmux.IntegrationTests;

/// <summary>These tests need the real tools; without them they fail with what to install, never skip.</summary>
public static class Prerequisites
{
    public static string Require(string tool, string package)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(directory => Path.Combine(directory, tool))
            .FirstOrDefault(File.Exists);
        return found ?? throw new InvalidOperationException(
            $"'{tool}' is not installed; these tests run the real thing. Install it with: apt-get install {package} (.ci/run does).");
    }
}
