using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Nbdmux.Testing;

namespace Nbdmux.IntegrationTests.Warming;

/// <summary>How <see cref="ImageServer"/> answers for one path.</summary>
/// <param name="Body">The bytes served (null with <paramref name="Status"/> or <paramref name="RedirectTo"/>).</param>
/// <param name="ContentLength">Announce the length; without it the body is sent chunked.</param>
/// <param name="HonourRange">Answer "Range: bytes=N-" with 206 (else the whole body with 200).</param>
/// <param name="BreakAfter">Cut the connection after this many body bytes, for the first <paramref name="Breaks"/> requests.</param>
/// <param name="ChunkDelay">Wait this long before each 64 KiB (a slow source).</param>
/// <param name="Status">Answer this instead of the body: always, or for the first <paramref name="Failures"/> requests.</param>
/// <param name="Validators">Send an ETag, which tells whether a file read again is the same.</param>
public sealed record Served(
    byte[]? Body,
    bool ContentLength = true,
    bool HonourRange = true,
    long? BreakAfter = null,
    int Breaks = 1,
    TimeSpan? ChunkDelay = null,
    int Status = 200,
    int? Failures = null,
    bool Validators = true,
    string? RedirectTo = null);

/// <summary>
/// A small HTTP server on loopback for warms to fetch from: each path answers as its
/// <see cref="Served"/> says, and every request is recorded (path and Range header).
/// </summary>
public sealed class ImageServer : IDisposable
{
    private const int ChunkBytes = 64 * 1024;
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, Served> _paths = new();
    private readonly ConcurrentDictionary<string, int> _breaksDone = new();
    private readonly ConcurrentDictionary<string, int> _failuresDone = new();

    public ImageServer()
    {
        Port = LoopbackPorts.Free();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public string Base => $"http://127.0.0.1:{Port}/";

    public ConcurrentQueue<(string Path, string? Range)> Requests { get; } = new();

    public string Url(string path) => Base + path.TrimStart('/');

    public string Serve(string path, Served served)
    {
        _paths["/" + path.TrimStart('/')] = served;
        return Url(path);
    }

    public void Dispose() => _listener.Close();

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath;
        var range = context.Request.Headers["Range"];
        Requests.Enqueue((path, range));
        var response = context.Response;
        try
        {
            if (!_paths.TryGetValue(path, out var served))
            {
                response.StatusCode = 404;
                response.Close();
                return;
            }

            if (served.RedirectTo is { } location)
            {
                response.StatusCode = 302;
                response.RedirectLocation = location;
                response.Close();
                return;
            }

            if (served.Body is null || (served.Status != 200 && _failuresDone.AddOrUpdate(path, 1, (_, n) => n + 1) <= (served.Failures ?? int.MaxValue)))
            {
                response.StatusCode = served.Status;
                response.Close();
                return;
            }

            var body = served.Body;
            var start = 0L;
            if (served.Validators)
            {
                response.Headers["ETag"] = $"\"{Convert.ToHexStringLower(SHA256.HashData(body))[..16]}\"";
            }

            if (served.HonourRange)
            {
                response.Headers["Accept-Ranges"] = "bytes";
                if (range is { } asked && asked.StartsWith("bytes=", StringComparison.Ordinal) && asked.EndsWith('-'))
                {
                    start = long.Parse(asked["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
                    response.StatusCode = 206;
                    response.Headers["Content-Range"] = $"bytes {start}-{body.Length - 1}/{body.Length}";
                }
            }

            response.SendChunked = !served.ContentLength;
            if (served.ContentLength)
            {
                response.ContentLength64 = body.Length - start;
            }

            var breakNow = served.BreakAfter is not null && _breaksDone.AddOrUpdate(path, 1, (_, n) => n + 1) <= served.Breaks;
            for (var offset = start; offset < body.Length; offset += ChunkBytes)
            {
                if (served.ChunkDelay is { } delay)
                {
                    await Task.Delay(delay);
                }

                var count = (int)Math.Min(ChunkBytes, body.Length - offset);
                if (breakNow && offset - start + count > served.BreakAfter)
                {
                    await response.OutputStream.WriteAsync(body.AsMemory((int)offset, (int)(served.BreakAfter!.Value - (offset - start))));
                    await response.OutputStream.FlushAsync();
                    response.Abort();
                    return;
                }

                await response.OutputStream.WriteAsync(body.AsMemory((int)offset, count));
            }

            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            response.Abort();
        }
    }

}
