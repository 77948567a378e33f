using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Nbdkit;

namespace Nbdmux.IntegrationTests.NbdkitBackend;

/// <summary>
/// A data dir with an image root and the nbdkit backend wired as nbdmux wires it, on a free
/// loopback port. More than one backend on the same data dir stands for successive nbdmux runs.
/// Every nbdkit started on the data dir is killed at the end.
/// </summary>
public sealed class NbdkitBackendHarness : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("nbdmux-nbdkit-");
    private readonly List<ServiceProvider> _providers = [];

    public NbdkitBackendHarness()
    {
        Prerequisites.Require("nbdkit", "nbdkit");
        var plugin = Path.Combine(AppContext.BaseDirectory, NbdkitCommand.PluginFileName);
        if (!File.Exists(plugin))
        {
            throw new InvalidOperationException(
                $"{plugin} is missing: it is built with nbdmux where cc and nbdkit's header exist. Install them with: apt-get install gcc nbdkit-plugin-dev, then rebuild.");
        }

        Options = new NbdmuxOptions { DataDir = _temp.FullName, Bind = "127.0.0.1", NbdPort = LoopbackPorts.Free() };
        ImagesDir = Directory.CreateDirectory(Options.ImageRoots()[0]).FullName;
        Layout = new NbdkitLayout(Options);
    }

    public NbdmuxOptions Options { get; }

    public string ImagesDir { get; }

    public NbdkitLayout Layout { get; }

    public IPEndPoint Endpoint => new(IPAddress.Loopback, Options.NbdPort);

    /// <summary>Log lines of every backend, "Level: message".</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    /// <summary>A backend as a fresh nbdmux on this data dir builds it.</summary>
    public Infrastructure.Nbdkit.NbdkitBackend NewBackend(NbdmuxOptions? options = null)
    {
        var services = new ServiceCollection()
            .AddSingleton(options ?? Options)
            .AddSingleton(TimeProvider.System)
            .AddLogging(logging => logging.AddProvider(new QueueLoggerProvider(Log)))
            .AddSingleton<Infrastructure.Files.ImageRoots>()
            .AddSingleton<Application.Common.Interfaces.IImageFiles, Infrastructure.Files.ImageFiles>()
            .AddNbdkitBackend();
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider.GetRequiredService<Infrastructure.Nbdkit.NbdkitBackend>();
    }

    public TestImage Image(string fileName, byte seed) => TestImage.Create(ImagesDir, fileName, seed);

    public void Dispose()
    {
        if (File.Exists(Layout.PidFilePath) && int.TryParse(File.ReadAllText(Layout.PidFilePath).Trim(), out var pid) &&
            File.Exists($"/proc/{pid}/cmdline") && File.ReadAllText($"/proc/{pid}/cmdline").Contains($"dir={Layout.Root}\0"))
        {
            NbdmuxDaemon.Signal(pid, "KILL");
        }

        _providers.ForEach(provider => provider.Dispose());
        _temp.Delete(recursive: true);
    }


    private sealed class QueueLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(lines);

        public void Dispose()
        {
        }
    }

    private sealed class QueueLogger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
