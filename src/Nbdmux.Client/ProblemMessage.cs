using System.Text.Json;

namespace Nbdmux.Client;

/// <summary>What a refusal says: the problem details' `error` member, else `detail`, else `title`.</summary>
internal static class ProblemMessage
{
    private static readonly string[] Members = ["error", "detail", "title"];

    public static async Task<NbdmuxApiException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return new NbdmuxApiException(Read(body) ?? Fallback(response, body), response.StatusCode);
    }

    private static string? Read(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? Members
                    .Select(member => document.RootElement.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null)
                    .FirstOrDefault(message => !string.IsNullOrWhiteSpace(message))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A proxy in front of the daemon may answer with plain text or HTML.</summary>
    private static string Fallback(HttpResponseMessage response, string body)
    {
        var status = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        var text = body.Trim();
        return text.Length is > 0 and <= 200 && !text.StartsWith('<') ? $"{status}: {text}" : status;
    }
}
