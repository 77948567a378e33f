using Nbdmux.Infrastructure.Warming;

namespace Nbdmux.UnitTests.Infrastructure.Warming;

public sealed class SharedFetchesTests
{
    private static readonly Uri Source = new("http://images.lab/debian.img.zst");

    private readonly SharedFetches _shared = new();

    [Fact]
    public async Task The_first_asker_leads_and_those_asking_meanwhile_get_its_image()
    {
        var (fetch, leads) = _shared.Join(Source, "img.zst");
        var (followed, follows) = _shared.Join(Source, "img.zst");

        _shared.Fetched(fetch, new FetchedImage("/images/.a.img.warming", "img.zst"));

        Assert.True(leads);
        Assert.False(follows);
        Assert.Same(fetch, followed);
        Assert.Equal("/images/.a.img.warming", (await followed.Image).Path);
    }

    [Fact]
    public void Another_format_or_url_is_another_download()
    {
        _shared.Join(Source, "img.zst");

        Assert.True(_shared.Join(Source, null).Leads);
        Assert.True(_shared.Join(new Uri("http://images.lab/other.img.zst"), "img.zst").Leads);
    }

    [Fact]
    public void Once_the_image_is_there_a_new_asker_downloads_again()
    {
        var (fetch, _) = _shared.Join(Source, null);
        _shared.Fetched(fetch, new FetchedImage("/images/.a.img.warming", "img"));

        var (again, leads) = _shared.Join(Source, null);

        Assert.True(leads);
        Assert.NotSame(fetch, again);
    }

    [Fact]
    public void The_leader_keeps_its_image_until_every_follower_has_left()
    {
        var (fetch, _) = _shared.Join(Source, null);
        var (first, _) = _shared.Join(Source, null);
        _shared.Join(Source, null);

        _shared.Fetched(fetch, new FetchedImage("/images/.a.img.warming", "img"));
        _shared.Leave(first);

        Assert.False(fetch.AllLeftAsync().IsCompleted);
        _shared.Leave(first);
        Assert.True(fetch.AllLeftAsync().IsCompleted);
    }

    [Fact]
    public void A_follower_that_gives_up_before_the_image_is_there_is_not_waited_for()
    {
        var (fetch, _) = _shared.Join(Source, null);
        var (follower, _) = _shared.Join(Source, null);
        _shared.Leave(follower);

        _shared.Fetched(fetch, new FetchedImage("/images/.a.img.warming", "img"));

        Assert.True(fetch.AllLeftAsync().IsCompleted);
    }

    [Fact]
    public async Task Followers_fail_as_the_leader_did_or_start_over_when_it_was_cancelled()
    {
        var (failed, _) = _shared.Join(Source, null);
        var (followsFailed, _) = _shared.Join(Source, null);
        _shared.Failed(failed, new WarmSourceException("answered 404", transient: false));
        var (abandoned, _) = _shared.Join(Source, null);
        var (followsAbandoned, _) = _shared.Join(Source, null);
        _shared.Abandoned(abandoned);

        Assert.Equal("answered 404", (await Assert.ThrowsAsync<WarmSourceException>(() => followsFailed.Image)).Message);
        await Assert.ThrowsAsync<LeaderGoneException>(() => followsAbandoned.Image);
        Assert.True(_shared.Join(Source, null).Leads);
    }
}
