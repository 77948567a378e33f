using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;

namespace Nbdmux.Infrastructure.Warming;

/// <summary>
/// How warms talk HTTP. A request that fails transiently (connection error, 5xx, 408, 429, no
/// headers in time) is retried with jittered exponential backoff by the resilience handler, which
/// also honours Retry-After; a body that breaks off after its headers is resumed by
/// <see cref="HttpSourceStream"/> under <see cref="Resumption"/>, each resuming request going
/// through the same handler.
/// </summary>
public static class WarmHttp
{
    /// <summary>Retries of one request, and of a broken body: a source down for about a minute is waited out.</summary>
    public const int MaxRetries = 5;

    /// <summary>First wait before a retry; each next one doubles, with jitter.</summary>
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>How long one attempt may take to answer with its headers.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A client that sends bytes as the source sent them and never follows redirects itself
    /// (<see cref="HttpSourceStream"/> checks each against the allowed places).
    /// </summary>
    public static HttpClient CreateClient(TimeProvider time)
    {
        var requests = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = MaxRetries,
                Delay = FirstRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .AddTimeout(AttemptTimeout)
            .Build();
        var sockets = new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None };

        // The body of a warm may take hours: only each attempt's wait for headers is timed.
        return new HttpClient(new ResilienceHandler(requests) { InnerHandler = sockets }) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Retries of a read whose body broke off, while <paramref name="resumable"/> says it can be resumed.</summary>
    public static ResiliencePipeline Resumption(TimeProvider time, Func<Exception, bool> resumable) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && resumable(e)),
                MaxRetryAttempts = MaxRetries,
                Delay = FirstRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .Build();
}
