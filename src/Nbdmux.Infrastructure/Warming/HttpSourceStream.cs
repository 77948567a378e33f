using System.Net;
using System.Net.Http.Headers;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Infrastructure.Warming;

/// <summary>
/// A source's bytes, read once from start to end. Transient failures (connection errors, 5xx,
/// a body cut short) are retried with backoff: from where it broke with an HTTP Range request
/// when the server honours ranges (and the file did not change meanwhile), otherwise not at all
/// once bytes have been read. Redirects are followed only to places the operator allows.
/// </summary>
public sealed class HttpSourceStream : Stream
{
    public const int MaxRedirects = 5;

    /// <summary>A source that sends nothing for this long is taken as broken (and resumed where it can be).</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Waits before each retry; their count is the number of retries.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultBackoff =
        [TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)];

    private readonly HttpClient _http;
    private readonly IWarmSources _sources;
    private readonly IReadOnlyList<TimeSpan> _backoff;
    private readonly TimeProvider _time;
    private HttpResponseMessage _response;
    private Stream _body;
    private Uri _url;
    private long _position;

    /// <summary>The source's size as announced (Content-Length), or null when it did not say.</summary>
    public long? TotalBytes { get; }

    private HttpSourceStream(HttpClient http, IWarmSources sources, IReadOnlyList<TimeSpan> backoff, TimeProvider time, Uri url, HttpResponseMessage response, Stream body)
    {
        _http = http;
        _sources = sources;
        _backoff = backoff;
        _time = time;
        _url = url;
        _response = response;
        _body = body;
        TotalBytes = response.Content.Headers.ContentLength;
    }

    public static async Task<HttpSourceStream> OpenAsync(
        HttpClient http, IWarmSources sources, Uri url, IReadOnlyList<TimeSpan> backoff, TimeProvider time, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var (finalUrl, response) = await GetAsync(http, sources, url, range: null, validator: null, cancellationToken);
                var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                return new HttpSourceStream(http, sources, backoff, time, finalUrl, response, body);
            }
            catch (Exception e) when (IsTransient(e) && attempt < backoff.Count)
            {
                await Task.Delay(backoff[attempt], time, cancellationToken);
            }
        }
    }

    /// <summary>Bytes read so far.</summary>
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var read = await ReadOrTimeOutAsync(buffer, cancellationToken);
                if (read == 0 && TotalBytes is { } total && _position < total)
                {
                    throw new WarmSourceException($"the source ended after {_position} of the {total} bytes it announced", transient: true);
                }

                _position += read;
                return read;
            }
            catch (Exception e) when (IsTransient(e) && attempt < _backoff.Count && CanResume)
            {
                await Task.Delay(_backoff[attempt], _time, cancellationToken);
                await ResumeAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<int> ReadOrTimeOutAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(IdleTimeout);
        try
        {
            return await _body.ReadAsync(buffer, idle.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WarmSourceException($"the source sent nothing for {IdleTimeout.TotalSeconds:0} s", transient: true);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private bool CanResume =>
        _position == 0 || (_response.Headers.AcceptRanges.Contains("bytes") && Validator(_response) is not null);

    /// <summary>An ETag, or else the Last-Modified date: what If-Range uses to be sure the rest comes from the same file.</summary>
    private static RangeConditionHeaderValue? Validator(HttpResponseMessage response) =>
        response.Headers.ETag is { IsWeak: false } etag ? new RangeConditionHeaderValue(etag)
        : response.Content.Headers.LastModified is { } modified ? new RangeConditionHeaderValue(modified)
        : null;

    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        var range = _position > 0 ? new RangeHeaderValue(_position, null) : null;
        var (url, response) = await GetAsync(_http, _sources, _url, range, range is null ? null : Validator(_response), cancellationToken);
        if (range is not null && (response.StatusCode != HttpStatusCode.PartialContent || response.Content.Headers.ContentRange?.From != _position))
        {
            response.Dispose();
            throw new WarmSourceException($"the source broke off after {_position} bytes and did not resume there (it changed, or ignores Range)", transient: false);
        }

        await _body.DisposeAsync();
        _response.Dispose();
        _url = url;
        _response = response;
        _body = await response.Content.ReadAsStreamAsync(cancellationToken);
    }

    private static async Task<(Uri Url, HttpResponseMessage Response)> GetAsync(
        HttpClient http, IWarmSources sources, Uri url, RangeHeaderValue? range, RangeConditionHeaderValue? validator, CancellationToken cancellationToken)
    {
        for (var redirects = 0; ; redirects++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Range = range;
            request.Headers.IfRange = validator;
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode is >= HttpStatusCode.MultipleChoices and < HttpStatusCode.BadRequest && response.Headers.Location is { } location)
            {
                response.Dispose();
                var next = location.IsAbsoluteUri ? location : new Uri(url, location);
                if (redirects == MaxRedirects)
                {
                    throw new WarmSourceException($"{url} redirected more than {MaxRedirects} times", transient: false);
                }

                if (!sources.MayFollow(next))
                {
                    throw new WarmSourceException(
                        $"{url} redirected to {next}, which is not a place nbdmux may fetch from (NBDMUX_WITHCACHE_URL, NBDMUX_WARM_SOURCES)", transient: false);
                }

                url = next;
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                response.Dispose();
                throw new WarmSourceException(
                    $"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}", transient: (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests);
            }

            return (url, response);
        }
    }

    private static bool IsTransient(Exception e) => e switch
    {
        WarmSourceException source => source.Transient,
        HttpRequestException or IOException => true,
        // HttpClient's own timeout, not the caller's cancellation.
        TaskCanceledException { InnerException: TimeoutException } => true,
        _ => false,
    };

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body.Dispose();
            _response.Dispose();
        }

        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override void Flush() => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>The source could not be read: the message says what it answered.</summary>
public sealed class WarmSourceException(string message, bool transient) : Exception(message)
{
    public bool Transient { get; } = transient;
}
