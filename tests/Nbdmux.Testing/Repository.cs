namespace Nbdmux.Testing;

/// <summary>The checkout the tests run from: its scripts, docs and deploy files.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);

    public static string ReadAllText(string relative) => File.ReadAllText(Path(relative));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "nbdmux.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No nbdmux.sln above {AppContext.BaseDirectory}: run the tests from a checkout.");
    }
}
