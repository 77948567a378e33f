using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Application.Exports.Warming;
using Nbdmux.Domain.Exports;
using Nbdmux.Domain.Nodes;
using Nbdmux.Infrastructure.Cluster;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Files;
using Nbdmux.Infrastructure.Persistence;

namespace Nbdmux.Infrastructure.Warming;

/// <summary>
/// Runs warms, at most <see cref="NbdmuxOptions.MaxWarms"/> at once: HTTP, then the decompressor,
/// then a sparse file under a dot-name in the first image root, renamed to
/// <c>&lt;name&gt;.img</c> only once it is complete and verified, and registered through the
/// <see cref="WarmJournal"/> like any file. Warms that ask for a source another warm is fetching
/// share its download (<see cref="SharedFetches"/>) without taking a worker. Warms that were queued
/// or running when nbdmux stopped start over when it starts. On a shared registry, every node's
/// warmer takes queued warms, and the runs of nodes that go down (<see cref="WarmJournal.ClaimAsync"/>).
/// </summary>
public sealed partial class Warmer(
    IServiceScopeFactory scopes,
    ImageRoots roots,
    ImageFiles images,
    NbdmuxOptions options,
    LocalNode local,
    IWarmSources sources,
    IWarmMetrics metrics,
    TimeProvider time,
    ILogger<Warmer> logger) : BackgroundService, IWarmer
{
    /// <summary>The registry is written at most this often per warm while bytes flow.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    /// <summary>Large enough for the decompressors to run at full speed; a multiple of the hole size.</summary>
    private const int ChunkBytes = 1024 * 1024;

    /// <summary>Chunks between reading and writing: one being read, one being written, and slack for either being briefly the slower.</summary>
    private const int ChunksInFlight = 4;

    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>();
    private readonly ConcurrentDictionary<string, byte> _queued = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _following = new();
    private readonly SharedFetches _shared = new();
    private readonly HttpClient _http = WarmHttp.CreateClient(time);

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
        var claims = await ClaimAsync(starting: true, stoppingToken);
        DeleteStagedFiles(name => !claims.RunElsewhere.Contains(name));
        claims.Queue.ToList().ForEach(Enqueue);

        var workers = Enumerable.Range(0, options.MaxWarms).Select(_ => WorkAsync(stoppingToken)).ToList();
        if (options.RegistryDatabase().IsShared)
        {
            workers.Add(TakeOverAsync(stoppingToken));
        }

        await Task.WhenAll(workers);
        await Task.WhenAll(_following.Keys);
    }

    private async Task<WarmClaims> ClaimAsync(bool starting, CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<WarmJournal>().ClaimAsync(local.Name, starting, stoppingToken);
    }

    /// <summary>
    /// Looks for warms other nodes queued, and for runs of nodes that went down, as often as a node
    /// can be found down.
    /// </summary>
    private async Task TakeOverAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Node.DownAfter, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var claims = await ClaimAsync(starting: false, stoppingToken);
                    DeleteStagedFiles(claims.Restarted.Contains);
                    claims.Queue.ToList().ForEach(Enqueue);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning("Could not look for warms to take over in the registry; trying again later: {Reason}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
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
        var scope = scopes.CreateAsyncScope();
        var journal = scope.ServiceProvider.GetRequiredService<WarmJournal>();
        StartedWarm? warm;
        try
        {
            warm = await journal.StartAsync(name, local.Name, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogError(e, "Could not start the warm of export {ExportName}; it stays queued until nbdmux restarts", name);
            await scope.DisposeAsync();
            return;
        }

        if (warm is null)
        {
            await scope.DisposeAsync();
            return;
        }

        var fetch = sources.Resolve(warm.Source.Url);
        var share = fetch.Url is { } url ? _shared.Join(url, warm.Source.Format) : default;
        var run = WarmAsync(scope, journal, warm, fetch, share, stoppingToken);
        if (share.Fetch is not null && !share.Leads)
        {
            logger.LogInformation("Warm of export {ExportName} shares the download of {SourceUrl} another warm has under way", name, warm.Source.Url);

            // It only waits for another warm's download: the worker takes the next warm meanwhile.
            _following[run] = 0;
            _ = run.ContinueWith(done => _following.TryRemove(done, out _), TaskScheduler.Default);
            return;
        }

        await run;
    }

    private async Task WarmAsync(
        AsyncServiceScope scope, WarmJournal journal, StartedWarm warm, WarmFetch fetch, (SharedFetch? Fetch, bool Leads) share, CancellationToken stoppingToken)
    {
        await using var owned = scope;
        var name = warm.Attempt.Name;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        _running[name] = cancel;
        var staged = new List<string>();
        var started = time.GetTimestamp();
        logger.LogInformation("Warm of export {ExportName} started from {SourceUrl}", name, warm.Source.Url);
        try
        {
            var url = fetch.Url ?? throw new WarmSourceException(fetch.Problem!, transient: false);
            await FetchAsync(journal, warm, url, share, staged, cancel.Token);
            metrics.Ended("ready", time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation("Warm of export {ExportName} interrupted as nbdmux stops; it starts over when nbdmux starts again, or on another node sharing the registry", name);
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

    /// <summary>Brings the source's raw image to a staged file, by leading or following a shared fetch, checks it and lands it.</summary>
    private async Task FetchAsync(
        WarmJournal journal, StartedWarm warm, Uri url, (SharedFetch? Fetch, bool Leads) share, List<string> staged, CancellationToken cancellationToken)
    {
        var (attempt, source, target) = (warm.Attempt, warm.Source, warm.Target);
        var stagedRaw = Stage(staged, Path.GetDirectoryName(target)!, attempt.Name, "img");
        string? sha256;
        while (true)
        {
            var (fetch, leads) = share.Fetch is { } joined ? (joined, share.Leads) : _shared.Join(url, source.Format);
            share = default;
            if (leads)
            {
                sha256 = await LeadAsync(journal, warm, url, fetch, stagedRaw, staged, cancellationToken);
                break;
            }

            try
            {
                sha256 = await FollowAsync(journal, warm, fetch, stagedRaw, cancellationToken);
                break;
            }
            catch (LeaderGoneException)
            {
                cancellationToken.ThrowIfCancellationRequested();
                logger.LogInformation("The warm whose download export {ExportName} shared was cancelled; it fetches anew", attempt.Name);
            }
            finally
            {
                _shared.Leave(fetch);
            }
        }

        if (source.Sha256 is { } expected && sha256 != expected)
        {
            throw new WarmSourceException($"the raw image's SHA-256 is {sha256}, not the {expected} asked for", transient: false);
        }

        if (!await journal.CompleteAsync(attempt, landAt => File.Move(stagedRaw, landAt, overwrite: true), cancellationToken))
        {
            throw new StaleWarmException();
        }
    }

    /// <summary>
    /// Downloads and unpacks the source into <paramref name="stagedRaw"/> and checks it is a raw
    /// image, then lets the warms that joined copy it; returns its SHA-256 when the warm asks for one.
    /// </summary>
    private async Task<string?> LeadAsync(
        WarmJournal journal, StartedWarm warm, Uri url, SharedFetch fetch, string stagedRaw, List<string> staged, CancellationToken cancellationToken)
    {
        var (attempt, source) = (warm.Attempt, warm.Source);
        string? sha256;
        try
        {
            // Inside the try: whatever ends a leader ends the fetch its followers wait on.
            Directory.CreateDirectory(Path.GetDirectoryName(stagedRaw)!);
            using var http = await HttpSourceStream.OpenAsync(_http, sources, url, time, cancellationToken);
            fetch.Source = http;
            var progress = new WarmProgress(journal, attempt, () => http, metrics, time);
            await progress.ReportAsync(ExportStatus.Fetching, force: true, cancellationToken);

            var head = new byte[Unpacking.SniffBytes];
            var headLength = await http.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
            var format = source.Format ?? Unpacking.Sniff(head.AsSpan(0, headLength));
            if (source.Format is null && !await journal.FormatFoundAsync(attempt, format, cancellationToken))
            {
                throw new StaleWarmException();
            }

            await using var packed = new ReplayedHeadStream(head.AsMemory(0, headLength), http);
            if (format == WarmFormat.Qcow2)
            {
                var stagedQcow2 = Stage(staged, Path.GetDirectoryName(stagedRaw)!, attempt.Name, "qcow2");
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

            CheckRaw(stagedRaw, format);
            _shared.Fetched(fetch, new FetchedImage(stagedRaw, format));
        }
        catch (Exception e) when (e is OperationCanceledException or StaleWarmException)
        {
            _shared.Abandoned(fetch);
            throw;
        }
        catch (Exception e)
        {
            _shared.Failed(fetch, e);
            throw;
        }

        // Followers copy from the staged image: it stays where it is until they are done, however this warm ends.
        await fetch.AllLeftAsync();
        return sha256;
    }

    /// <summary>Waits for the leader's raw image, reporting its progress, and copies it into <paramref name="stagedRaw"/>; returns its SHA-256 when asked for one.</summary>
    private async Task<string?> FollowAsync(WarmJournal journal, StartedWarm warm, SharedFetch fetch, string stagedRaw, CancellationToken cancellationToken)
    {
        var (attempt, source) = (warm.Attempt, warm.Source);
        var progress = new WarmProgress(journal, attempt, () => fetch.Source, metrics: null, time);
        await progress.ReportAsync(ExportStatus.Fetching, force: true, cancellationToken);
        FetchedImage image;
        while (true)
        {
            try
            {
                image = await fetch.Image.WaitAsync(ProgressInterval, time, cancellationToken);
                break;
            }
            catch (TimeoutException)
            {
                await progress.ReportAsync(ExportStatus.Fetching, force: true, cancellationToken);
            }
        }

        await progress.ReportAsync(ExportStatus.Decompressing, force: true, cancellationToken);
        if (source.Format is null && !await journal.FormatFoundAsync(attempt, image.Format, cancellationToken))
        {
            throw new StaleWarmException();
        }

        // The leader's file sits in an image root others may write to: it is read only as the image it still is there.
        await using var copy = images.OpenForReading(image.Path);
        return await CopyAsync(copy, stagedRaw, image.Format, hash: source.Sha256 is not null, progress: null, cancellationToken);
    }

    /// <summary>
    /// Copies the raw bytes into a new sparse file; returns their SHA-256 when asked to hash.
    /// Reading (and unpacking) and writing run at once on two threads, as <c>curl | zstd -d &gt; file</c>
    /// runs on two processes: <see cref="ChunksInFlight"/> chunks go round between them.
    /// </summary>
    private static async Task<string?> CopyAsync(Stream from, string path, string format, bool hash, WarmProgress? progress, CancellationToken cancellationToken)
    {
        using var writer = new SparseImageWriter(path, hash);
        var empty = Channel.CreateUnbounded<Memory<byte>>();
        var filled = Channel.CreateUnbounded<(Memory<byte> Chunk, int Length)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        for (var i = 0; i < ChunksInFlight; i++)
        {
            empty.Writer.TryWrite(SparseImageWriter.NewBuffer(ChunkBytes));
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writing = Task.Run(() => WriteChunksAsync(writer, filled.Reader, empty.Writer, stop), CancellationToken.None);
        try
        {
            while (true)
            {
                var chunk = await empty.Reader.ReadAsync(stop.Token);
                var read = await ReadChunkAsync(from, chunk, format, stop.Token);
                if (read == 0)
                {
                    break;
                }

                filled.Writer.TryWrite((chunk, read));
                if (progress is not null)
                {
                    await progress.ReportAsync(ExportStatus.Fetching, force: false, stop.Token);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Only a failed write stops the reading so: that failure, awaited below, is the warm's.
        }
        catch
        {
            await stop.CancelAsync();
            filled.Writer.TryComplete();
            await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
        finally
        {
            filled.Writer.TryComplete();
        }

        await writing;
        writer.Complete();
        return writer.Sha256();
    }

    private static async Task<int> ReadChunkAsync(Stream from, Memory<byte> chunk, string format, CancellationToken cancellationToken)
    {
        try
        {
            return await from.ReadAtLeastAsync(chunk, chunk.Length, throwOnEndOfStream: false, cancellationToken);
        }
        catch (Exception e) when (e is not (IOException or OperationCanceledException or WarmSourceException or HttpRequestException))
        {
            throw new WarmSourceException($"the source is not a valid {format} image ({e.Message}); give the right format", transient: false);
        }
    }

    /// <summary>Writes the chunks read, handing each back to be read into again; a failure stops the reading.</summary>
    private static async Task WriteChunksAsync(
        SparseImageWriter writer, ChannelReader<(Memory<byte> Chunk, int Length)> filled, ChannelWriter<Memory<byte>> empty, CancellationTokenSource stop)
    {
        try
        {
            await foreach (var (chunk, length) in filled.ReadAllAsync(stop.Token))
            {
                writer.Write(chunk.Span[..length]);
                empty.TryWrite(chunk);
            }
        }
        catch
        {
            await stop.CancelAsync();
            throw;
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

    [GeneratedRegex(@"^\.(?<name>[A-Za-z0-9][A-Za-z0-9._-]*)\.(img|qcow2)\.[0-9a-f]{32}\.warming$")]
    private static partial Regex StagedName();

    /// <summary>Deletes what the runs of the warms <paramref name="leftOver"/> names staged: runs a crash or a stop cut short.</summary>
    private void DeleteStagedFiles(Func<string, bool> leftOver)
    {
        var directory = roots.Canonical[0];
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var path in Directory.EnumerateFiles(directory, ".*.warming"))
        {
            if (StagedName().Match(Path.GetFileName(path)) is { Success: true } staged && leftOver(staged.Groups["name"].Value))
            {
                logger.LogInformation("Deleting {StagedPath}, left by a warm that was cut short", path);
                File.Delete(path);
            }
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

    /// <summary>
    /// Saves fetched bytes to the registry, at most once per <see cref="ProgressInterval"/> unless
    /// forced; counts them in the metrics when given them (a warm that follows another's download fetches none).
    /// </summary>
    private sealed class WarmProgress(WarmJournal journal, WarmAttempt attempt, Func<HttpSourceStream?> source, IWarmMetrics? metrics, TimeProvider time)
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
            var (done, total) = source() is { } http ? (http.Position, http.TotalBytes) : (0, null);
            metrics?.Fetched(done - _counted);
            _counted = done;
            if (!await journal.ProgressAsync(attempt, phase, done, total, cancellationToken))
            {
                throw new StaleWarmException();
            }
        }
    }
}
