using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Polly;
using Polly.Timeout;

namespace Nbdmux.Client;

/// <summary>
/// The nbdmux HTTP API. Every failure is an <see cref="NbdmuxApiException"/>; a daemon that
/// cannot be reached or does not answer in time is an <see cref="NbdmuxUnreachableException"/>.
/// Cancelling a call throws <see cref="OperationCanceledException"/> as usual.
/// </summary>
public sealed class NbdmuxClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly NbdmuxClientOptions _options;
    private readonly Uri _baseAddress;
    private readonly RetryPipelines _pipelines;

    /// <summary>A client with its own connection pool; dispose it when done.</summary>
    public NbdmuxClient(Uri baseAddress, string? password = null)
        : this(new NbdmuxClientOptions { BaseAddress = baseAddress, Password = password })
    {
    }

    /// <summary>A client with its own connection pool; dispose it when done.</summary>
    public NbdmuxClient(NbdmuxClientOptions options)
        : this(new HttpClient(), options, ownsHttp: true)
    {
    }

    /// <summary>A client over an HttpClient the caller manages (e.g. from IHttpClientFactory).</summary>
    public NbdmuxClient(HttpClient http, NbdmuxClientOptions options)
        : this(http, options, ownsHttp: false)
    {
    }

    private NbdmuxClient(HttpClient http, NbdmuxClientOptions options, bool ownsHttp)
    {
        options.Validate();
        _http = http;
        _ownsHttp = ownsHttp;
        _options = options;
        // Without the trailing slash, a base path such as /nbdmux would be replaced, not extended.
        _baseAddress = options.BaseAddress.AbsoluteUri.EndsWith('/') ? options.BaseAddress : new Uri(options.BaseAddress.AbsoluteUri + "/");
        _pipelines = new RetryPipelines(options);
    }

    /// <summary>All exports, sorted by name.</summary>
    public async Task<IReadOnlyList<NbdmuxExport>> ListExportsAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "exports", content: null, _pipelines.Idempotent, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await ReadAsync(response, NbdmuxJsonContext.Default.ListNbdmuxExport, cancellationToken);
    }

    /// <exception cref="NbdmuxApiException">With status 404 when no export has that name.</exception>
    public async Task<NbdmuxExport> GetExportAsync(string name, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, ExportPath(name), content: null, _pipelines.Idempotent, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await ReadAsync(response, NbdmuxJsonContext.Default.NbdmuxExport, cancellationToken);
    }

    /// <summary>Serves <paramref name="file"/> (a path on the daemon's host) as <paramref name="name"/>, replacing any export of that name.</summary>
    /// <exception cref="NbdmuxApiException">With status 400 and the reason when the name or file is refused.</exception>
    public Task<AddExportResult> AddExportAsync(string name, string file, bool readOnly = true, CancellationToken cancellationToken = default) =>
        AddExportAsync(new NbdmuxExportSpec(name, file) { Readonly = readOnly }, force: false, cancellationToken);

    /// <summary>Serves an export as <paramref name="spec"/> describes, replacing any export of that name.</summary>
    /// <param name="spec">Name, file and access of the export.</param>
    /// <param name="force">Change the file even while clients are connected (they are disconnected); otherwise that is a 409.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NbdmuxApiException">With status 400 and the reason when refused, 409 when the file is in use.</exception>
    public async Task<AddExportResult> AddExportAsync(NbdmuxExportSpec spec, bool force = false, CancellationToken cancellationToken = default)
    {
        var body = JsonContent.Create(spec, NbdmuxJsonContext.Default.NbdmuxExportSpec);
        using var response = await SendAsync(HttpMethod.Post, force ? "exports?force=true" : "exports", body, _pipelines.Once, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var export = await ReadAsync(response, NbdmuxJsonContext.Default.NbdmuxExport, cancellationToken);
        var unchanged = response.Headers.TryGetValues("Nbdmux-Outcome", out var outcome) && outcome.Contains("unchanged");
        return new AddExportResult(export, Created: response.StatusCode == HttpStatusCode.Created, Changed: !unchanged);
    }

    /// <summary>The nodes that share the daemon's registry (one, on a registry of its own), sorted by name.</summary>
    public async Task<IReadOnlyList<NbdmuxNode>> ListNodesAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "nodes", content: null, _pipelines.Idempotent, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await ReadAsync(response, NbdmuxJsonContext.Default.ListNbdmuxNode, cancellationToken);
    }

    /// <summary>A page of the files beneath the daemon's image roots (what an export can serve), sorted by path.</summary>
    public async Task<NbdmuxImagePage> ListImagesAsync(int page = 1, int pageSize = 100, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, $"images?page={page}&page_size={pageSize}", content: null, _pipelines.Idempotent, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await ReadAsync(response, NbdmuxJsonContext.Default.NbdmuxImagePage, cancellationToken);
    }

    /// <summary>
    /// Has the daemon fetch <see cref="NbdmuxWarmSpec.SrcUrl"/>, unpack it and serve it as the name
    /// once ready; answers at once with the record (status "queued", or as it stands when the same
    /// warm is already under way or done). Await readiness with <see cref="WaitUntilReadyAsync"/>.
    /// </summary>
    /// <param name="spec">Name, source, format, digest and access of the export.</param>
    /// <param name="force">Warm a name that is served now even while clients are connected (they are disconnected).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NbdmuxApiException">With status 400 and the reason when the source is refused, 409 when the name is in use.</exception>
    public async Task<AddExportResult> WarmAsync(NbdmuxWarmSpec spec, bool force = false, CancellationToken cancellationToken = default)
    {
        var body = JsonContent.Create(spec, NbdmuxJsonContext.Default.NbdmuxWarmSpec);
        using var response = await SendAsync(HttpMethod.Post, force ? "exports?force=true" : "exports", body, _pipelines.Once, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var export = await ReadAsync(response, NbdmuxJsonContext.Default.NbdmuxExport, cancellationToken);
        return new AddExportResult(export, Created: response.StatusCode == HttpStatusCode.Created);
    }

    /// <summary>
    /// Polls the export until its warm is over, reporting each record read to <paramref name="progress"/>.
    /// Returns the record once it is ready (or served otherwise, e.g. registered with a file meanwhile).
    /// </summary>
    /// <param name="name">The export.</param>
    /// <param name="progress">Told every record read (status, bytes_done, bytes_total, progress); may be null.</param>
    /// <param name="pollInterval">Time between reads; the daemon saves progress about once a second (default).</param>
    /// <param name="cancellationToken">Stops waiting; the warm goes on.</param>
    /// <exception cref="NbdmuxWarmFailedException">The warm failed; the record says why.</exception>
    /// <exception cref="NbdmuxApiException">With status 404 when the export was removed meanwhile.</exception>
    public async Task<NbdmuxExport> WaitUntilReadyAsync(
        string name, IProgress<NbdmuxExport>? progress = null, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var export = await GetExportAsync(name, cancellationToken);
            progress?.Report(export);
            if (export.Status == NbdmuxExport.Failed)
            {
                throw new NbdmuxWarmFailedException(export);
            }

            if (!export.IsWarming)
            {
                return export;
            }

            await Task.Delay(pollInterval ?? TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    /// <summary>Stops serving the export to new clients. Removing a name that is not registered is not an error.</summary>
    /// <returns>True when it was removed, false when there was no such export.</returns>
    public Task<bool> RemoveExportAsync(string name, CancellationToken cancellationToken = default) =>
        RemoveExportAsync(name, force: false, cancellationToken);

    /// <summary>Stops serving the export; with <paramref name="force"/> even while clients are connected.</summary>
    /// <param name="name">The export.</param>
    /// <param name="force">Remove it even while clients are connected (they are disconnected); otherwise that is a 409.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when it was removed, false when there was no such export.</returns>
    public async Task<bool> RemoveExportAsync(string name, bool force, CancellationToken cancellationToken = default)
    {
        var path = force ? ExportPath(name) + "?force=true" : ExportPath(name);
        using var response = await SendAsync(HttpMethod.Delete, path, content: null, _pipelines.Idempotent, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return true;
    }

    /// <summary>Whether nbd-server is running and answering; an unhealthy daemon is an answer, not an exception.</summary>
    public async Task<NbdmuxHealth> GetHealthAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "healthz", content: null, _pipelines.Health, cancellationToken);
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable))
        {
            await EnsureSuccessAsync(response, cancellationToken);
        }

        var status = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
        return new NbdmuxHealth(response.StatusCode == HttpStatusCode.OK, status);
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static string ExportPath(string name) => "exports/" + Uri.EscapeDataString(name);

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, HttpContent? content, ResiliencePipeline<HttpResponseMessage> pipeline, CancellationToken cancellationToken)
    {
        var uri = new Uri(_baseAddress, path);
        try
        {
            return await pipeline.ExecuteAsync(async token =>
            {
                using var request = new HttpRequestMessage(method, uri) { Content = content };
                if (_options.Password is { Length: > 0 } password)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", password);
                }

                return await _http.SendAsync(request, token);
            }, cancellationToken);
        }
        catch (TimeoutRejectedException timeout)
        {
            throw new NbdmuxUnreachableException(uri,
                $"nbdmux at {_baseAddress} did not answer {method} /{path} within {_options.Timeout.TotalSeconds:0.###} s.", timeout);
        }
        catch (HttpRequestException notHttp) when (notHttp.HttpRequestError is HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded)
        {
            throw new NbdmuxUnreachableException(uri,
                $"{_baseAddress} does not answer HTTP, so it is not nbdmux's API (is it the NBD port? The API listens on nbdmux's --port, 8082 by default).", notHttp);
        }
        catch (HttpRequestException unreachable)
        {
            throw new NbdmuxUnreachableException(uri, $"cannot reach nbdmux at {_baseAddress}: {unreachable.Message}", unreachable);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await ProblemMessage.ToExceptionAsync(response, cancellationToken);
        }
    }

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken)
                ?? throw new JsonException("the body is null");
        }
        catch (JsonException malformed)
        {
            throw new NbdmuxApiException(
                $"{_baseAddress} answered {(int)response.StatusCode} with something that is not nbdmux's JSON; is it nbdmux's API? ({malformed.Message})",
                response.StatusCode, malformed);
        }
    }
}
