using System.Net;
using System.Net.Http.Headers;
using Nbdmux.Api.Authentication;

namespace Nbdmux.Api.Tests.Authentication;

/// <summary>Whose guesses are counted together, and what is not a guess.</summary>
public sealed class PasswordGuessingTests : IAsyncLifetime
{
    private const string Password = "correct horse battery staple";
    private TestDaemon _daemon = null!;

    public async Task InitializeAsync() => _daemon = await TestDaemon.StartAsync(Password);

    public async Task DisposeAsync() => await _daemon.DisposeAsync();

    [Theory]
    [InlineData("2001:db8:1:2::a", "2001:db8:1:2:ffff:ffff:ffff:fffe", HttpStatusCode.TooManyRequests)]
    [InlineData("2001:db8:1:2::a", "2001:db8:1:3::a", HttpStatusCode.Unauthorized)]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1", HttpStatusCode.TooManyRequests)]
    [InlineData("192.0.2.1", "192.0.2.2", HttpStatusCode.Unauthorized)]
    public async Task Wrong_bearer_tokens_count_per_ipv4_address_and_per_ipv6_64(string first, string second, HttpStatusCode secondAnswer)
    {
        for (var guess = 0; guess < LoginRateLimit.AttemptsPerWindow; guess++)
        {
            Assert.Equal((int)HttpStatusCode.Unauthorized, await _daemon.GetFromAsync(IPAddress.Parse(first), "/exports", $"guess {guess}"));
        }

        Assert.Equal((int)secondAnswer, await _daemon.GetFromAsync(IPAddress.Parse(second), "/exports", "one more guess"));
    }

    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("fe80::1:2:3:4%3", "fe80::/64")]
    public void A_client_is_its_ipv4_address_or_its_ipv6_64(string address, string client) =>
        Assert.Equal(client, LoginRateLimit.ClientOf(IPAddress.Parse(address)));

    [Fact]
    public async Task Wrong_bearer_tokens_sent_to_healthz_are_no_guesses()
    {
        var client = _daemon.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not it");
        for (var probe = 0; probe <= LoginRateLimit.AttemptsPerWindow; probe++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/healthz")).StatusCode);
        }

        var guess = await client.GetAsync("/exports");
        var login = await BrowserForms.LogInAsync(_daemon.CreateClient(), Password);

        Assert.Equal(HttpStatusCode.Unauthorized, guess.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
    }

    [Fact]
    public async Task Pages_that_need_no_password_do_not_say_whether_a_bearer_token_is_right()
    {
        var client = _daemon.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Password);

        var login = await client.GetStringAsync("/login");

        Assert.DoesNotContain("Log out", login);
    }
}
