namespace Nbdmux.Client;

public sealed class NbdmuxClientOptions
{
    /// <summary>Where the daemon's HTTP API listens, e.g. http://nbd-host:8082/.</summary>
    public Uri BaseAddress { get; set; } = new("http://localhost:8082/");

    /// <summary>Sent as <c>Authorization: Bearer &lt;password&gt;</c> when set.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// How long one attempt may take. Short, so that a caller is not stuck on an unreachable
    /// daemon: with retries, a GET or DELETE gives up after about (MaxRetries + 1) × Timeout.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Retries of idempotent calls (list, get, remove, health) after a refused connection, a
    /// timeout or a 502/503/504. Adding an export is never retried.
    /// </summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Pause before the first retry; it doubles with each further one.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    internal void Validate()
    {
        if (!BaseAddress.IsAbsoluteUri || BaseAddress.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"BaseAddress must be an absolute http or https URL, not '{BaseAddress}'.", nameof(BaseAddress));
        }

        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "Timeout must be positive.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries);
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryDelay, TimeSpan.Zero);
    }
}
