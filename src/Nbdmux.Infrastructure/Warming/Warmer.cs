using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Application.Exports.Warming;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Files;
using Nbdmux.Infrastructure.Persistence;

namespace Nbdmux.Infrastructure.Warming;

/// <summary>
/// Runs warms, at most <see cref="NbdmuxOptions.MaxWarms"/> at once: HTTP, then the decompressor,
/// then a sparse file under a dot-name in the first image root, renamed to
/// <c>&lt;name&gt;.img</c> only once it is complete and verified, and registered through the
/// <see cref="WarmJournal"/> like any file. Warms that were queued or running when nbdmux
/// stopped start over when it starts.
/// </summary>
public sealed partial class Warmer(
    IServiceScopeFactory scopes,
    ImageRoots roots,
    NbdmuxOptions options,
    IWarmSources sources,
    IWarmMetrics metrics,
    TimeProvider time,
    ILogger<Warmer> logger) : BackgroundService, IWarmer
{
    /// <summary>The registry is written at most this often per warm while bytes flow.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    /// <summary>Large enough for the decompressors to run at full speed; a multiple of the hole size.</summary>
    private const int ChunkBytes = 1024 * 1024;

    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>();
    private readonly ConcurrentDictionary<string, byte> _queued = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);

    // Redirects are followed by HttpSourceStream, each checked against the allowed places; bytes arrive as the source sent them.
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(30),
    })
    { Timeout = TimeSpan.FromMinutes(1) };

    /// <summary>Retry waits of the HTTP source; tests shorten them.</summary>
    internal IReadOnlyList<TimeSpan> Backoff { get; init; } = HttpSourceStream.DefaultBackoff;

    public string TargetPath(string name) => Path.Combine(roots.Canonical[0], name + ".img");

    public void Enqueue(string name)
    {
        if (_queued.TryAdd(name, 0))
        {
            _queue.Writer.TryWrite(name);
        }
    }

    public void Cancel(string name)
    {
        if (_running.TryGetValue(name, out var running))
        {
            running.Cancel();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        DeleteLeftoverStagedFiles();
        await using (var scope = scopes.CreateAsyncScope())
        {
            foreach (var name in await scope.ServiceProvider.GetRequiredService<WarmJournal>().ResumeAsync(stoppingToken))
            {
                logger.LogInformation("Warm of export {ExportName} was interrupted when nbdmux stopped; it starts over", name);
                Enqueue(name);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, options.MaxWarms).Select(_ => WorkAsync(stoppingToken)));
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var name in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                _queued.TryRemove(name, out _);
                await RunAsync(name, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunAsync(string name, CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var journal = scope.ServiceProvider.GetRequiredService<WarmJournal>();
        StartedWarm? warm;
        try
        {
            warm = await journal.StartAsync(name, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogError(e, "Could not start the warm of export {ExportName}; it stays queued until nbdmux restarts", name);
            return;
        }

        if (warm is null)
        {
            return;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        _running[name] = cancel;
        var staged = new List<string>();
        var started = time.GetTimestamp();
        logger.LogInformation("Warm of export {ExportName} started from {SourceUrl}", name, warm.Source.Url);
        try
        {
            await FetchAsync(journal, warm, staged, cancel.Token);
            metrics.Ended("ready", time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation("Warm of export {ExportName} interrupted as nbdmux stops; it starts over at the next start", name);
        }
        catch (Exception e) when (e is OperationCanceledException or StaleWarmException)
        {
            DeleteStaged(staged);
            metrics.Ended("cancelled", time.GetElapsedTime(started));
            await journal.CancelledAsync(warm.Attempt);
        }
        catch (Exception e)
        {
            // Before the failure is recorded: a failed warm has left nothing behind when it says so.
            DeleteStaged(staged);
            metrics.Ended("failed", time.GetElapsedTime(started));
            if (e is not (WarmSourceException or IOException))
            {
                logger.LogError(e, "Warm of export {ExportName} failed unexpectedly", name);
            }

            try
            {
                await journal.FailAsync(warm.Attempt, Describe(e, warm.Target), CancellationToken.None);
            }
            catch (Exception recording)
            {
                logger.LogError(recording, "Could not record that the warm of export {ExportName} failed", name);
            }
        }
        finally
        {
            DeleteStaged(staged);
            _running.TryRemove(new KeyValuePair<string, CancellationTokenSource>(name, cancel));
        }
    }

    private async Task FetchAsync(WarmJournal journal, StartedWarm warm, List<string> staged, CancellationToken cancellationToken)
    {
        var (attempt, source, target) = (warm.Attempt, warm.Source, warm.Target);
        var directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        var fetch = sources.Resolve(source.Url);
        var url = fetch.Url ?? throw new WarmSourceException(fetch.Problem!, transient: false);
        using var http = await HttpSourceStream.OpenAsync(_http, sources, url, Backoff, time, cancellationToken);
        var progress = new WarmProgress(journal, attempt, http, metrics, time);
        await progress.ReportAsync(ExportStatus.Fetching, force: true, cancellationToken);

        var head = new byte[Unpacking.SniffBytes];
        var headLength = await http.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        var format = source.Format ?? Unpacking.Sniff(head.AsSpan(0, headLength));
        if (source.Format is null && !await journal.FormatFoundAsync(attempt, format, cancellationToken))
        {
            throw new StaleWarmException();
        }

        await using var packed = new ReplayedHeadStream(head.AsMemory(0, headLength), http);
        var stagedRaw = Stage(staged, directory, attempt.Name, "img");
        string? sha256;
        if (format == WarmFormat.Qcow2)
        {
            var stagedQcow2 = Stage(staged, directory, attempt.Name, "qcow2");
            await CopyAsync(packed, stagedQcow2, format, hash: false, progress, cancellationToken);
            await progress.ReportAsync(ExportStatus.Decompressing, force: true, cancellationToken);
            await QemuImg.ConvertToRawAsync(stagedQcow2, stagedRaw, cancellationToken);
            File.Delete(stagedQcow2);
            sha256 = source.Sha256 is null ? null : await HashAsync(stagedRaw, cancellationToken);
        }
        else
        {
            await using var raw = Unpacking.Open(format, packed);
            sha256 = await CopyAsync(raw, stagedRaw, format, hash: source.Sha256 is not null, progress, cancellationToken);
            await progress.ReportAsync(ExportStatus.Decompressing, force: true, cancellationToken);
        }

        if (source.Sha256 is { } expected && sha256 != expected)
        {
            throw new WarmSourceException($"the raw image's SHA-256 is {sha256}, not the {expected} asked for", transient: false);
        }

        CheckRaw(stagedRaw, format);
        if (!await journal.CompleteAsync(attempt, landAt => File.Move(stagedRaw, landAt, overwrite: true), cancellationToken))
        {
            throw new StaleWarmException();
        }
    }

    /// <summary>Copies the raw bytes into a new sparse file; returns their SHA-256 when asked to hash.</summary>
    private static async Task<string?> CopyAsync(Stream from, string path, string format, bool hash, WarmProgress progress, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            using var writer = new SparseImageWriter(path, hash);
            while (true)
            {
                int read;
                try
                {
                    read = await from.ReadAtLeastAsync(buffer.AsMemory(0, ChunkBytes), ChunkBytes, throwOnEndOfStream: false, cancellationToken);
                }
                catch (Exception e) when (e is not (IOException or OperationCanceledException or WarmSourceException or HttpRequestException))
                {
                    throw new WarmSourceException($"the source is not a valid {format} image ({e.Message}); give the right format", transient: false);
                }

                if (read == 0)
                {
                    break;
                }

                writer.Write(buffer.AsSpan(0, read));
                await progress.ReportAsync(ExportStatus.Fetching, force: false, cancellationToken);
            }

            writer.Complete();
            return writer.Sha256();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
    }

    private static void CheckRaw(string path, string format)
    {
        using var file = File.OpenRead(path);
        if (file.Length == 0)
        {
            throw new WarmSourceException("the source holds no image bytes", transient: false);
        }

        if (ImageFormat.RefusalFor(file, path) is { } refusal)
        {
            throw new WarmSourceException($"unpacked as {format}, the image is still not raw ({refusal}); give the right format", transient: false);
        }
    }

    private static void DeleteStaged(List<string> staged)
    {
        foreach (var path in staged)
        {
            File.Delete(path);
        }
    }

    private static string Stage(List<string> staged, string directory, string name, string kind)
    {
        var path = Path.Combine(directory, $".{name}.{kind}.{Guid.NewGuid():N}.warming");
        staged.Add(path);
        return path;
    }

    [GeneratedRegex(@"^\.[A-Za-z0-9][A-Za-z0-9._-]*\.(img|qcow2)\.[0-9a-f]{32}\.warming$")]
    private static partial Regex StagedName();

    /// <summary>What a warm cut short by a crash left behind.</summary>
    private void DeleteLeftoverStagedFiles()
    {
        var directory = roots.Canonical[0];
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var path in Directory.EnumerateFiles(directory, ".*.warming").Where(path => StagedName().IsMatch(Path.GetFileName(path))))
        {
            logger.LogInformation("Deleting {StagedPath}, left by a warm that nbdmux was stopped in", path);
            File.Delete(path);
        }
    }

    private static string Describe(Exception error, string target) => error switch
    {
        WarmSourceException source => source.Message,
        IOException io when StorageFailure.IsNoSpace(io) =>
            $"the disk of {Path.GetDirectoryName(target)} is full; nothing was kept: free space there and register the export again",
        HttpRequestException http => $"the source could not be reached: {http.Message}",
        _ => error.Message,
    };

    /// <summary>The attempt is no longer the export's current one (removed, registered with a file, or warmed anew).</summary>
    private sealed class StaleWarmException : Exception;

    /// <summary>Saves fetched bytes to the registry, at most once per <see cref="ProgressInterval"/> unless forced.</summary>
    private sealed class WarmProgress(WarmJournal journal, WarmAttempt attempt, HttpSourceStream source, IWarmMetrics metrics, TimeProvider time)
    {
        private long? _lastSaved;
        private long _counted;

        public async Task ReportAsync(ExportStatus phase, bool force, CancellationToken cancellationToken)
        {
            var now = time.GetTimestamp();
            if (!force && _lastSaved is { } last && time.GetElapsedTime(last, now) < ProgressInterval)
            {
                return;
            }

            _lastSaved = now;
            metrics.Fetched(source.Position - _counted);
            _counted = source.Position;
            if (!await journal.ProgressAsync(attempt, phase, source.Position, source.TotalBytes, cancellationToken))
            {
                throw new StaleWarmException();
            }
        }
    }
}
