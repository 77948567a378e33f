namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>
/// The library preloaded into nbd-server so that it skips generating DH parameters it never uses
/// (Preload/skip_dh_params.c): that generation is 40-900 ms of every listener start, and so of every
/// new export name. It sits beside the app when the build found a C compiler.
/// </summary>
public sealed class NbdServerPreload
{
    public const string FileName = "libnbdmux-skip-dh-params.so";

    private NbdServerPreload(string? libraryPath) => LibraryPath = libraryPath;

    /// <summary>The library's full path, or null when the build could not compile it.</summary>
    public string? LibraryPath { get; }

    public static NbdServerPreload BesideApp()
    {
        var path = Path.Combine(AppContext.BaseDirectory, FileName);
        return new NbdServerPreload(File.Exists(path) ? path : null);
    }
}
