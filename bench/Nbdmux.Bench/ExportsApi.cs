using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nbdmux.Bench;

/// <summary>
/// The /exports calls every daemon answers (nbdmux and 0.2.1 take the same POST body), over
/// either a pool of kept-alive connections or a new TCP connection for each request that the
/// client closes after the answer, as curl in a provisioning script's loop does.
/// </summary>
public sealed class ExportsApi : IDisposable
{
    private readonly HttpClient _http;
    private int _connections;

    private ExportsApi(Uri baseAddress, bool connectionPerRequest)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 64,
            // Zero: a connection is closed when its answer has been read, never used again.
            PooledConnectionLifetime = connectionPerRequest ? TimeSpan.Zero : Timeout.InfiniteTimeSpan,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    Interlocked.Increment(ref _connections);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(1) };
    }

    /// <summary>Kept-alive connections: what a request costs the daemon, not the TCP handshake.</summary>
    public static ExportsApi Pooled(Uri baseAddress) => new(baseAddress, connectionPerRequest: false);

    /// <summary>Every request on a new TCP connection, closed by the client after the answer.</summary>
    public static ExportsApi ConnectionPerRequest(Uri baseAddress) => new(baseAddress, connectionPerRequest: true);

    public HttpClient Http => _http;

    /// <summary>TCP connections opened so far: with a connection per request, one per request sent.</summary>
    public int Connections => _connections;

    /// <summary>
    /// Changes refused with 503 (nothing changed, the daemon was bringing its NBD server back),
    /// and requests whose connection was closed without an answer, each with its reason; each was
    /// sent again.
    /// </summary>
    public List<string> Refusals { get; } = [];

    /// <summary>POST /exports {name, file, readonly: true}; returns the time until the answer arrived, in ms (a retried refusal included).</summary>
    public Task<double> RegisterAsync(string name, string file) =>
        SendRetryingRefusalsAsync(() =>
        {
            // A body with a Content-Length (not chunked): 0.2.1 reads exactly Content-Length bytes.
            var body = JsonSerializer.Serialize(new { name, file, @readonly = true });
            return new HttpRequestMessage(HttpMethod.Post, "/exports") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        }, $"POST {name}");

    /// <summary>DELETE /exports/{name}; returns the time until the answer arrived, in ms.</summary>
    public Task<double> RemoveAsync(string name) =>
        SendRetryingRefusalsAsync(() => new HttpRequestMessage(HttpMethod.Delete, $"/exports/{name}"), $"DELETE {name}");

    /// <summary>Waits until nbdmux counts no connection to the export (an unknown name has none).</summary>
    public async Task WaitUntilUnusedAsync(string name)
    {
        var elapsed = Stopwatch.StartNew();
        while (await ConnectionCountAsync(name) > 0)
        {
            if (elapsed.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new TimeoutException($"nbdmux still counts a connection to {name} after 10 s");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Removes an export once nobody uses it (not even the session nbdmux opened to prove it, which ends a moment later).</summary>
    public async Task RemoveWhenUnusedAsync(string name)
    {
        await WaitUntilUnusedAsync(name);
        await RemoveAsync(name);
    }

    public async Task<bool> IsHealthyAsync()
    {
        try
        {
            using var response = await _http.GetAsync("/healthz");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<int> ConnectionCountAsync(string name)
    {
        using var response = await _http.GetAsync($"/exports/{name}");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return 0;
        }

        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ExportRecord>())!.ConnectionCount;
    }

    private sealed record ExportRecord([property: JsonPropertyName("connection_count")] int ConnectionCount);

    /// <summary>
    /// A 503 means nbdmux changed nothing and is bringing its NBD server back; a connection closed
    /// without an answer is how 0.2.1 fails a request when the nbd-server it relaunches exits at
    /// once. Either is recorded and the request sent again (as a provisioning client would), so
    /// one refusal does not end the run; the time until the answer includes the retries.
    /// </summary>
    private async Task<double> SendRetryingRefusalsAsync(Func<HttpRequestMessage> request, string what)
    {
        const int attempts = 5;
        var elapsed = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            using var message = request();
            string refusal;
            try
            {
                using var response = await _http.SendAsync(message);
                var body = await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode)
                {
                    return elapsed.Elapsed.TotalMilliseconds;
                }

                if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == attempts)
                {
                    throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {body}");
                }

                refusal = $"{what}: 503 {body}";
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ResponseEnded && attempt < attempts)
            {
                refusal = $"{what}: connection closed without an answer";
            }

            Refusals.Add(refusal);
            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
        }
    }
}
