using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using Nbdmux.Application.Common.Interfaces;
using Polly;
using Polly.Timeout;

namespace Nbdmux.Infrastructure.Warming;

/// <summary>
/// A source's bytes, read once from start to end. A request that fails transiently is retried by
/// the client's resilience handler (<see cref="WarmHttp"/>); a body that breaks off is resumed under
/// <see cref="WarmHttp.Resumption"/>: from where it broke with an HTTP Range request, or, from a
/// server that ignores ranges, by reading the whole file again and skipping what was read, as long
/// as its ETag or Last-Modified says it is the same file. Redirects are followed only to places the
/// operator allows.
/// </summary>
public sealed class HttpSourceStream : Stream
{
    public const int MaxRedirects = 5;

    /// <summary>A source that sends nothing for this long is taken as broken (and resumed where it can be).</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;
    private readonly IWarmSources _sources;
    private readonly ResiliencePipeline _resumption;
    private readonly RangeConditionHeaderValue? _validator;
    private HttpResponseMessage _response;
    private Stream _body;
    private Uri _url;
    private long _position;
    private bool _broken;

    /// <summary>The source's size as announced (Content-Length), or null when it did not say.</summary>
    public long? TotalBytes { get; }

    private HttpSourceStream(HttpClient http, IWarmSources sources, TimeProvider time, Uri url, HttpResponseMessage response, Stream body)
    {
        _http = http;
        _sources = sources;
        _resumption = WarmHttp.Resumption(time, e => IsTransient(e) && CanResume);
        _url = url;
        _response = response;
        _body = body;
        _validator = Validator(response);
        TotalBytes = response.Content.Headers.ContentLength;
    }

    /// <param name="http">A client made by <see cref="WarmHttp.CreateClient"/>, which retries failed requests.</param>
    public static async Task<HttpSourceStream> OpenAsync(HttpClient http, IWarmSources sources, Uri url, TimeProvider time, CancellationToken cancellationToken)
    {
        var (finalUrl, response) = await GetAsync(http, sources, url, range: null, validator: null, cancellationToken);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return new HttpSourceStream(http, sources, time, finalUrl, response, body);
    }

    /// <summary>Bytes read so far.</summary>
    public override long Position
    {
        get => Volatile.Read(ref _position);
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _resumption.ExecuteAsync(
                static (state, token) => state.Stream.ReadOnceAsync(state.Buffer, token), (Stream: this, Buffer: buffer), cancellationToken);
        }
        catch (Exception e) when (IsTransient(e) && !CanResume)
        {
            throw new WarmSourceException(
                $"the source broke off after {_position} bytes ({e.Message}) and cannot be resumed: it sends neither an ETag nor a Last-Modified date to tell that the rest would come from the same file",
                transient: false);
        }
    }

    private async ValueTask<int> ReadOnceAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            if (_broken)
            {
                await ResumeAsync(cancellationToken);
                _broken = false;
            }

            var read = await ReadOrTimeOutAsync(_body, buffer, cancellationToken);
            if (read == 0 && TotalBytes is { } total && _position < total)
            {
                throw new WarmSourceException($"the source ended after {_position} of the {total} bytes it announced", transient: true);
            }

            Volatile.Write(ref _position, _position + read);
            return read;
        }
        catch (Exception e) when (IsTransient(e))
        {
            _broken = true;
            throw;
        }
    }

    private static async Task<int> ReadOrTimeOutAsync(Stream body, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(IdleTimeout);
        try
        {
            return await body.ReadAsync(buffer, idle.Token);
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

    /// <summary>Nothing was read yet, or the rest can be told to come from the same file.</summary>
    private bool CanResume => _position == 0 || _validator is not null;

    /// <summary>A strong ETag, or else the Last-Modified date: what If-Range uses to be sure the rest comes from the same file.</summary>
    private static RangeConditionHeaderValue? Validator(HttpResponseMessage response) =>
        response.Headers.ETag is { IsWeak: false } etag ? new RangeConditionHeaderValue(etag)
        : response.Content.Headers.LastModified is { } modified ? new RangeConditionHeaderValue(modified)
        : null;

    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        var range = _position > 0 ? new RangeHeaderValue(_position, null) : null;
        var (url, response) = await GetAsync(_http, _sources, _url, range, range is null ? null : _validator, cancellationToken);
        try
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            if (range is not null && response.StatusCode != HttpStatusCode.PartialContent)
            {
                if (!Equals(Validator(response), _validator))
                {
                    throw new WarmSourceException($"the source broke off after {_position} bytes and changed before it could be read again", transient: false);
                }

                // The server ignores ranges but sends the same file: what was read already is read again and dropped.
                await SkipAsync(body, _position, cancellationToken);
            }
            else if (range is not null && response.Content.Headers.ContentRange?.From != _position)
            {
                throw new WarmSourceException($"the source broke off after {_position} bytes and did not resume there", transient: false);
            }

            await _body.DisposeAsync();
            _response.Dispose();
            (_url, _response, _body) = (url, response, body);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static async Task SkipAsync(Stream body, long count, CancellationToken cancellationToken)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (count > 0)
            {
                var read = await ReadOrTimeOutAsync(body, scratch.AsMemory(0, (int)Math.Min(scratch.Length, count)), cancellationToken);
                if (read == 0)
                {
                    throw new WarmSourceException("the source ended before the bytes read already, sent again", transient: true);
                }

                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
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
        // A resuming request whose every attempt took too long to answer.
        TimeoutRejectedException => true,
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
