namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>
/// The library preloaded into nbd-server so that it skips generating DH parameters it never uses
/// (every listener start, and so every new export name, would wait for it) and listens with a
/// backlog deep enough for a rack of clients (Preload/nbd_server_preload.c). It sits beside the app
/// when the build found a C compiler.
/// </summary>
public sealed class NbdServerPreload
{
    public const string FileName = "libnbdmux-nbd-server-preload.so";

    private NbdServerPreload(string? libraryPath) => LibraryPath = libraryPath;

    /// <summary>The library's full path, or null when the build could not compile it.</summary>
    public string? LibraryPath { get; }

    public static NbdServerPreload BesideApp()
    {
        var path = Path.Combine(AppContext.BaseDirectory, FileName);
        return new NbdServerPreload(File.Exists(path) ? path : null);
    }
}
