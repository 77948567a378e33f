using Moq;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;

namespace Nbdmux.UnitTests.Application;

/// <summary>Mocks for the ports the handlers talk to, wired the way the real ones behave.</summary>
internal sealed class Fakes
{
    public Mock<IExportStore> Store { get; } = new();
    public Mock<IExportChange> Change { get; } = new();
    public Mock<INbdServer> NbdServer { get; } = new();
    public Mock<IImageFiles> ImageFiles { get; } = new();
    public Mock<IWarmer> Warmer { get; } = new();
    public Mock<IClusterClients> Cluster { get; } = new();
    public bool Committed { get; private set; }

    public Fakes()
    {
        Store.Setup(s => s.BeginChangeAsync(It.IsAny<CancellationToken>())).ReturnsAsync(Change.Object);
        Change.Setup(c => c.CommitAsync(It.IsAny<Func<Task>>(), It.IsAny<Func<Task>>(), It.IsAny<CancellationToken>()))
            .Returns(async (Func<Task> makeLive, Func<Task> _, CancellationToken _) =>
            {
                await makeLive();
                Committed = true;
            });
        NbdServer.SetupGet(n => n.Status).Returns(new NbdServerStatus(NbdServerState.Running, 42, DateTimeOffset.UnixEpoch, 0, null));
        NbdServer.Setup(n => n.Connections()).Returns([]);
        Cluster.Setup(c => c.ElsewhereAsync(It.IsAny<string?>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);
        Warmer.Setup(w => w.TargetPath(It.IsAny<string>())).Returns((string name) => $"/images/{name}.img");
        Store.Setup(s => s.ListAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() => _registered.ToList());
        Store.Setup(s => s.SharerAsync(It.IsAny<string>(), It.IsAny<FileIdentity?>(), It.IsAny<string>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string path, FileIdentity? identity, string besides, bool onlyWriters, CancellationToken _) =>
                _registered
                    .Where(e => e.Name != besides && (e.FilePath == path || (identity is not null && e.FileIdentity == identity)))
                    .Where(e => !onlyWriters || e.Access.WritesTheImage)
                    .OrderBy(e => e.Name, StringComparer.Ordinal)
                    .Select(e => new ImageSharer(e.Name, e.Access.WritesTheImage))
                    .FirstOrDefault());
    }

    public ImageFile HasImage(string path, long size)
    {
        var image = new ImageFile(path, size, IdentityOf(path));
        ImageFiles.Setup(f => f.Inspect(path)).Returns(ImageInspection.Servable(image));
        return image;
    }

    /// <summary>A made-up device and inode, one per path.</summary>
    public static FileIdentity IdentityOf(string path) => new(1, (ulong)StringComparer.Ordinal.GetHashCode(path));

    private readonly List<Export> _registered = [];

    public void Registered(Export export)
    {
        _registered.Add(export);
        Store.Setup(s => s.FindAsync(export.Name, It.IsAny<CancellationToken>())).ReturnsAsync(export);
    }
}
