using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nbdmux.Api.Tests;

/// <summary>
/// docs/openapi.json is the published contract: it must be what the daemon serves. After an
/// intended API change, regenerate it with `NBDMUX_UPDATE_OPENAPI=1 dotnet test tests/Nbdmux.Api.Tests
/// --filter OpenApiDocumentTests` and commit the result.
/// </summary>
public sealed class OpenApiDocumentTests : IDisposable
{
    private const string UpdateVariable = "NBDMUX_UPDATE_OPENAPI";

    private readonly NbdmuxApiFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Served_document_matches_docs_openapi_json()
    {
        var served = await _factory.CreateClient().GetStringAsync("/openapi/v1.json");
        var committedPath = Repository.Path("docs/openapi.json");

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(committedPath, Normalize(served, sortKeys: false));
        }

        var expected = Normalize(File.Exists(committedPath) ? await File.ReadAllTextAsync(committedPath) : "{}", sortKeys: true);
        var actual = Normalize(served, sortKeys: true);
        Assert.True(expected == actual,
            $"The served OpenAPI document differs from docs/openapi.json ({FirstDifference(expected, actual)}).\n" +
            $"If the API change is intended, regenerate it: {UpdateVariable}=1 dotnet test tests/Nbdmux.Api.Tests --filter OpenApiDocumentTests");
    }

    [Fact]
    public async Task Document_describes_every_endpoint_error_and_the_bearer_scheme()
    {
        var document = JsonNode.Parse(await _factory.CreateClient().GetStringAsync("/openapi/v1.json"))!;

        Assert.Equal("bearer", (string?)document["components"]!["securitySchemes"]!["Bearer"]!["scheme"]);
        var paths = document["paths"]!.AsObject();
        Assert.Equal(["/events", "/exports", "/exports/{name}", "/healthz", "/images", "/nodes"], paths.Select(path => path.Key).Order());
        Assert.Equal(["200", "400", "401"], Responses(paths["/events"]!["get"]!));
        Assert.Equal(["200", "201", "400", "401", "409", "413", "415", "503"], Responses(paths["/exports"]!["post"]!));
        Assert.Equal(["204", "401", "404", "409", "503"], Responses(paths["/exports/{name}"]!["delete"]!));
        Assert.Equal(["200", "401", "404"], Responses(paths["/exports/{name}"]!["get"]!));
        Assert.Equal(["200", "503"], Responses(paths["/healthz"]!["get"]!));
        Assert.Equal(["200", "401"], Responses(paths["/nodes"]!["get"]!));
        Assert.NotNull(paths["/exports/{name}"]!["get"]!["responses"]!["404"]!["content"]!["application/problem+json"]);
        Assert.Equal("string", (string?)document["components"]!["schemas"]!["ProblemDetails"]!["properties"]!["error"]!["type"]);
    }

    [Fact]
    public async Task Api_reference_page_loads_everything_from_the_daemon()
    {
        var http = _factory.CreateClient();

        var page = await http.GetStringAsync("/scalar/");

        Assert.Contains("\"withDefaultFonts\":false", page);
        Assert.Contains("\"telemetry\":false", page);
        var assets = System.Text.RegularExpressions.Regex.Matches(page, "(?:src|href)=\"([^\"]+)\"").Select(match => match.Groups[1].Value).ToList();
        Assert.NotEmpty(assets);
        Assert.All(assets, asset => Assert.DoesNotContain("//", asset));
        foreach (var asset in assets)
        {
            Assert.True((await http.GetAsync($"/scalar/{asset}")).IsSuccessStatusCode, $"/scalar/{asset} is not served");
        }
    }

    private static IEnumerable<string> Responses(JsonNode operation) =>
        operation["responses"]!.AsObject().Select(response => response.Key).Order();

    private static string Normalize(string json, bool sortKeys)
    {
        var node = JsonNode.Parse(json)!;
        return (sortKeys ? Sorted(node) : node)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Sorted).ToArray()),
        _ => node?.DeepClone(),
    };

    private static string FirstDifference(string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        var line = Enumerable.Range(0, Math.Min(expectedLines.Length, actualLines.Length)).FirstOrDefault(i => expectedLines[i] != actualLines[i], -1);
        return line < 0
            ? $"one is longer: {expectedLines.Length} vs {actualLines.Length} lines"
            : $"first difference at line {line + 1} of the key-sorted form: committed `{expectedLines[line].Trim()}`, served `{actualLines[line].Trim()}`";
    }
}
