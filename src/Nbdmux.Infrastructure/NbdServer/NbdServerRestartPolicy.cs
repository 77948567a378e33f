using Polly;
using Polly.Retry;

namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>
/// How the supervisor retries bringing nbd-server back: the first retry at once (most deaths are
/// a one-off kill, and every booted target waits on the port), then exponential backoff with
/// jitter, so a server that cannot start (port taken, binary broken) does not spin.
/// </summary>
public static class NbdServerRestartPolicy
{
    public static ResiliencePipeline Create(Func<Exception, int, ValueTask> onFailedAttempt, TimeSpan? maxDelay = null, TimeProvider? time = null) =>
        new ResiliencePipelineBuilder { TimeProvider = time ?? TimeProvider.System }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<NbdServerStartException>().Handle<IOException>(),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = maxDelay ?? TimeSpan.FromSeconds(10),
                DelayGenerator = args => ValueTask.FromResult(args.AttemptNumber == 0 ? TimeSpan.Zero : (TimeSpan?)null),
                OnRetry = args => onFailedAttempt(args.Outcome.Exception!, args.AttemptNumber),
            })
            .Build();
}
