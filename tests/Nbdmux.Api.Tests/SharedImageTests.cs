using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Nbdmux.Api.Tests;

/// <summary>One file is written under one name at most, and then read under no other.</summary>
public sealed class SharedImageTests : IDisposable
{
    private readonly NbdmuxApiFactory _factory = new();
    private readonly HttpClient _http;
    private readonly string _file;

    public SharedImageTests()
    {
        _http = _factory.CreateClient();
        _file = _factory.CreateImage("shared.img", 4096);
    }

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData("read-write", "read-only", "is already exported read-write as 'first'")]
    [InlineData("read-write", "copy-on-write", "is already exported read-write as 'first'")]
    [InlineData("read-write", "read-write", "is already exported read-write as 'first'")]
    [InlineData("read-only", "read-write", "is already exported as 'first'; writing to it under another name")]
    [InlineData("copy-on-write", "read-write", "is already exported as 'first'; writing to it under another name")]
    public async Task A_second_name_is_refused_when_either_writes_the_file(string first, string second, string message)
    {
        (await RegisterAsync("first", first)).EnsureSuccessStatusCode();

        var response = await RegisterAsync("second", second);

        await ExportsApiTests.AssertProblemAsync(response, HttpStatusCode.Conflict, message);
        Assert.Single((await _http.GetFromJsonAsync<JsonArray>("/exports"))!);
    }

    [Theory]
    [InlineData("read-only", "read-only")]
    [InlineData("read-only", "copy-on-write")]
    [InlineData("copy-on-write", "copy-on-write")]
    public async Task Readers_may_share_a_file(string first, string second)
    {
        (await RegisterAsync("first", first)).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Created, (await RegisterAsync("second", second)).StatusCode);
    }

    [Fact]
    public async Task Force_shares_it_anyway()
    {
        (await RegisterAsync("first", "read-write")).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Created, (await RegisterAsync("second", "read-only", force: true)).StatusCode);
    }

    [Fact]
    public async Task The_writer_itself_may_be_registered_again()
    {
        (await RegisterAsync("first", "read-write")).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.OK, (await RegisterAsync("first", "read-only")).StatusCode);
    }

    private Task<HttpResponseMessage> RegisterAsync(string name, string mode, bool force = false) =>
        _http.PostAsJsonAsync(force ? "/exports?force=true" : "/exports", mode switch
        {
            "read-write" => new { name, file = _file, @readonly = (bool?)false, copy_on_write = (bool?)null },
            "copy-on-write" => new { name, file = _file, @readonly = (bool?)null, copy_on_write = (bool?)true },
            _ => new { name, file = _file, @readonly = (bool?)true, copy_on_write = (bool?)null },
        });
}
