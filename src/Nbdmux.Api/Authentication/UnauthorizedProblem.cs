using Microsoft.AspNetCore.Mvc;

namespace Nbdmux.Api.Authentication;

/// <summary>The 401 every control endpoint answers without valid credentials, saying how to get in.</summary>
public static class UnauthorizedProblem
{
    public const string MissingCredentials = "This endpoint needs the admin password: send 'Authorization: Bearer <password>'.";
    public const string WrongPassword = "The bearer token is not the admin password.";

    public static async Task WriteAsync(HttpContext context, string detail)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Authentication required.",
                Detail = detail,
            },
        });
    }

    private static readonly string[] ApiPaths = ["/exports", "/events", "/images", "/metrics", "/nodes"];

    /// <summary>Machines talk to /exports, /events, /images, /nodes and /metrics (Prometheus); everything else is the browser's dashboard.</summary>
    public static bool IsApiRequest(HttpRequest request) => IsApiPath(request.Path);

    public static bool IsApiPath(PathString path) => ApiPaths.Any(api => path.StartsWithSegments(api));
}
