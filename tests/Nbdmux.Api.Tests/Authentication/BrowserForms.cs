using System.Text.RegularExpressions;

namespace Nbdmux.Api.Tests.Authentication;

/// <summary>Does what a browser does with nbdmux's forms: fetch the page, post back with its antiforgery token.</summary>
internal static partial class BrowserForms
{
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string pagePath, string formAction, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(pagePath);
        var token = AntiforgeryToken().Match(page);
        Assert.True(token.Success, $"{pagePath} has no antiforgery token");
        fields["__RequestVerificationToken"] = token.Groups[1].Value;
        return await client.PostAsync(formAction, new FormUrlEncodedContent(fields));
    }

    public static Task<HttpResponseMessage> LogInAsync(HttpClient client, string password) =>
        PostAsync(client, "/login", "/login", new() { ["Password"] = password });

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
