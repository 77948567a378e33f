namespace Nbdmux.Infrastructure.Warming;

/// <summary>
/// Fetches of one source (its URL and the format asked for) that several warms want at once: the
/// first warm leads, fetching and unpacking as usual; those that ask while it runs follow, waiting
/// for its raw image and copying it (holes kept) into their own, so the source is downloaded once.
/// Each export gets a file of its own: a write through one export never shows in another.
/// </summary>
public sealed class SharedFetches
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Url, string? Format), SharedFetch> _open = [];

    /// <summary>The fetch of the source under way, joined, or a new one the caller leads.</summary>
    public (SharedFetch Fetch, bool Leads) Join(Uri url, string? format)
    {
        var key = (url.AbsoluteUri, format);
        lock (_lock)
        {
            if (_open.TryGetValue(key, out var fetch))
            {
                fetch.Followers++;
                return (fetch, false);
            }

            fetch = new SharedFetch(key);
            _open[key] = fetch;
            return (fetch, true);
        }
    }

    /// <summary>The leader has the raw image at <paramref name="image"/>: no one joins any more, and those who did may copy it.</summary>
    public void Fetched(SharedFetch fetch, FetchedImage image)
    {
        Close(fetch);
        fetch.Outcome.TrySetResult(image);
    }

    /// <summary>The leader ended without an image: its followers fail the same way.</summary>
    public void Failed(SharedFetch fetch, Exception error)
    {
        Close(fetch);
        fetch.Outcome.TrySetException(error);
    }

    /// <summary>The leader was cancelled before it had the image: its followers start over, one of them leading.</summary>
    public void Abandoned(SharedFetch fetch) => Failed(fetch, new LeaderGoneException());

    /// <summary>A follower is done with the leader's image (copied, or given up).</summary>
    public void Leave(SharedFetch fetch)
    {
        lock (_lock)
        {
            fetch.Followers--;
            if (fetch.Closed && fetch.Followers == 0)
            {
                fetch.AllLeft.TrySetResult();
            }
        }
    }

    private void Close(SharedFetch fetch)
    {
        lock (_lock)
        {
            if (_open.TryGetValue(fetch.Key, out var open) && open == fetch)
            {
                _open.Remove(fetch.Key);
            }

            fetch.Closed = true;
            if (fetch.Followers == 0)
            {
                fetch.AllLeft.TrySetResult();
            }
        }
    }
}

/// <summary>One fetch that warms share; its counts change under <see cref="SharedFetches"/>' lock.</summary>
public sealed class SharedFetch
{
    internal SharedFetch((string Url, string? Format) key) => Key = key;

    internal (string Url, string? Format) Key { get; }

    internal int Followers { get; set; }

    internal bool Closed { get; set; }

    internal TaskCompletionSource<FetchedImage> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Done once the fetch is over and every follower has left: the leader may then move or delete its image.</summary>
    internal TaskCompletionSource AllLeft { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The leader's source while it downloads, for its followers' progress; null until it has answered.</summary>
    public HttpSourceStream? Source { get; set; }

    /// <summary>The leader's raw image, or its failure.</summary>
    public Task<FetchedImage> Image => Outcome.Task;

    public Task AllLeftAsync() => AllLeft.Task;
}

/// <summary>A raw image a leader fetched, unpacked and checked, and the format its source turned out to be.</summary>
public sealed record FetchedImage(string Path, string Format);

/// <summary>The warm that led a shared fetch was cancelled before it had the image: its followers start over.</summary>
public sealed class LeaderGoneException : Exception;
