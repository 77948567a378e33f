namespace Nbdmux.IntegrationTests;

/// <summary>The checkout these tests run from, for the scripts they drive (tests/vm, bench).</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "nbdmux.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No nbdmux.sln above {AppContext.BaseDirectory}: these tests need the repository's scripts.");
    }
}
