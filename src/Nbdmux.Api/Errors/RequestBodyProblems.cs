using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Nbdmux.Api.Errors;

/// <summary>
/// What a body or query string that could not be read says: in the API's own words (field
/// names as sent, what to send), never the names of nbdmux's internal types or parameters.
/// </summary>
public static class RequestBodyProblems
{
    public const string UnsupportedMediaType = "Send the body as JSON, with the header 'Content-Type: application/json'.";

    private const string NotAnObject = "The body is not a JSON object; send one, e.g. {\"name\": \"debian12\", \"file\": \"/srv/images/debian12.img\"}.";

    public static IActionResult Create(ActionContext context)
    {
        var bodyParameters = context.ActionDescriptor.Parameters
            .Where(parameter => parameter.BindingInfo?.BindingSource == BindingSource.Body)
            .Select(parameter => parameter.Name)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var worded = new ModelStateDictionary();
        foreach (var (key, entry) in context.ModelState.Where(entry => entry.Value!.Errors.Count > 0))
        {
            var (field, message) = Describe(key, bodyParameters.Contains(key));
            if (worded[field] is null)
            {
                worded.AddModelError(field, message ?? entry!.Errors[0].ErrorMessage);
            }
        }

        // A member of the wrong type also leaves the whole body unread: that second error adds nothing.
        if (worded.ContainsKey("body") && worded.Count > 1)
        {
            worded.Remove("body");
        }

        var problem = context.HttpContext.RequestServices.GetRequiredService<ProblemDetailsFactory>()
            .CreateValidationProblemDetails(context.HttpContext, worded, StatusCodes.Status400BadRequest, "The request is invalid.");
        return new BadRequestObjectResult(problem) { ContentTypes = { "application/problem+json" } };
    }

    private static (string Field, string? Message) Describe(string key, bool isBodyParameter) =>
        key switch
        {
            _ when isBodyParameter || key is "$" or "" => ("body", NotAnObject),
            _ when key.StartsWith("$.", StringComparison.Ordinal) => (key[2..], $"{key[2..]} has the wrong JSON type or is not valid JSON there."),
            _ => (key, null),
        };
}
