using System.Net;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Nbdmux.Client;

/// <summary>A timeout on every attempt; retries only where repeating the call cannot change the outcome.</summary>
internal sealed class RetryPipelines(NbdmuxClientOptions options)
{
    /// <summary>List, get and remove: a 503 means nbd-server is restarting, which takes a moment.</summary>
    public ResiliencePipeline<HttpResponseMessage> Idempotent { get; } =
        Build(options, retry: true, retryStatuses: [HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout]);

    /// <summary>Health: a 503 is the answer (unhealthy), not a failure to get one.</summary>
    public ResiliencePipeline<HttpResponseMessage> Health { get; } =
        Build(options, retry: true, retryStatuses: [HttpStatusCode.BadGateway, HttpStatusCode.GatewayTimeout]);

    /// <summary>Add: a second POST after a lost answer could replace an export someone changed meanwhile.</summary>
    public ResiliencePipeline<HttpResponseMessage> Once { get; } = Build(options, retry: false, retryStatuses: []);

    private static ResiliencePipeline<HttpResponseMessage> Build(NbdmuxClientOptions options, bool retry, HttpStatusCode[] retryStatuses)
    {
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (retry && options.MaxRetries > 0)
        {
            pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(response => retryStatuses.Contains(response.StatusCode)),
            });
        }

        return pipeline.AddTimeout(options.Timeout).Build();
    }
}
