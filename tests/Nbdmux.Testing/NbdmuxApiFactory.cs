using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Moq;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.Cluster;
using Nbdmux.Infrastructure.DataPlane;
using Nbdmux.Infrastructure.Warming;

namespace Nbdmux.Testing;

/// <summary>The real API over a temporary data dir, with nbd-server's supervisor replaced by a mock.</summary>
public sealed class NbdmuxApiFactory : WebApplicationFactory<Program>
{
    public Mock<INbdServer> NbdServer { get; } = new();

    private readonly string? _adminPassword;
    private readonly string? _warmSource;
    private readonly bool _runWarmer;
    private readonly string? _database;
    private readonly bool _runHeartbeat;
    private readonly bool _ownsDataDir;
    private readonly DirectoryInfo _imagesDir = Directory.CreateTempSubdirectory("nbdmux-api-images-");

    /// <param name="adminPassword">Runs with this admin password; by default open.</param>
    /// <param name="dataDir">A data dir the caller owns (and deletes); by default a temp dir deleted on dispose.</param>
    /// <param name="warmSource">A URL prefix warms may fetch from (--warm-source); by default none.</param>
    /// <param name="runWarmer">Run the warmer, so that warms fetch; by default they stay queued.</param>
    /// <param name="database">The registry (--database); by default SQLite in the data dir.</param>
    /// <param name="runHeartbeat">Keep the node's row in the registry (it reads the mocked server's status); by default there is none.</param>
    public NbdmuxApiFactory(string? adminPassword = null, string? dataDir = null, string? warmSource = null, bool runWarmer = false, string? database = null, bool runHeartbeat = false)
    {
        _database = database;
        _runHeartbeat = runHeartbeat;
        _adminPassword = adminPassword;
        _warmSource = warmSource;
        _runWarmer = runWarmer;
        _ownsDataDir = dataDir is null;
        DataDir = dataDir ?? Directory.CreateTempSubdirectory("nbdmux-api-").FullName;
        NbdServer.SetupGet(n => n.Status).Returns(new NbdServerStatus(NbdServerState.Running, 4242, DateTimeOffset.UtcNow, 0, null));
        NbdServer.Setup(n => n.AnswersAsync(It.IsAny<CancellationToken>())).ReturnsAsync(true);
        NbdServer.Setup(n => n.Connections()).Returns([]);
    }

    public string DataDir { get; }

    /// <summary>The image root, a directory of its own (never inside the data dir).</summary>
    public string ImagesDir => _imagesDir.FullName;

    /// <summary>A raw image of the given size inside the image root.</summary>
    public string CreateImage(string fileName, long sizeBytes)
    {
        var path = Path.Combine(ImagesDir, fileName);
        using var file = File.Create(path);
        file.SetLength(sizeBytes);
        return path;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Nbdmux:DataDir", DataDir);
        builder.UseSetting("Nbdmux:ImagesDir:0", ImagesDir);
        if (_adminPassword is not null)
        {
            builder.UseSetting("Nbdmux:AdminPassword", _adminPassword);
        }

        if (_database is not null)
        {
            builder.UseSetting("Nbdmux:Database", _database);
        }

        if (_warmSource is not null)
        {
            builder.UseSetting("Nbdmux:WarmSources:0", _warmSource);
        }

        builder.ConfigureTestServices(services =>
        {
            // A factory registration keeps the type it returns in its delegate's type.
            foreach (var hosted in services.Where(d => d.ServiceType == typeof(IHostedService) &&
                                                       d.ImplementationFactory is Func<IServiceProvider, NbdServerSupervisor> or Func<IServiceProvider, Warmer>).ToList())
            {
                services.Remove(hosted);
            }

            if (!_runHeartbeat)
            {
                services.Remove(services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(NodeHeartbeat)));
            }

            // It drives the real NBD server, which is mocked here.
            services.Remove(services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(RegistrySync)));
            // In its stead: the mocked server serves the fresh registry (revision 0) as its first pass would have.
            services.RemoveAll<ServedRevision>();
            services.AddSingleton(_ =>
            {
                var served = new ServedRevision();
                served.Served(0);
                return served;
            });

            services.RemoveAll<NbdServerSupervisor>();
            services.RemoveAll<INbdServer>();
            services.AddSingleton(NbdServer.Object);
            if (_runWarmer)
            {
                services.AddHostedService(provider => provider.GetRequiredService<Warmer>());
            }
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (_ownsDataDir && Directory.Exists(DataDir))
        {
            Directory.Delete(DataDir, recursive: true);
        }

        if (Directory.Exists(ImagesDir))
        {
            _imagesDir.Delete(recursive: true);
        }
    }
}
