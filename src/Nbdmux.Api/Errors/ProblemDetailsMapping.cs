using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Nbdmux.Application.Common.Exceptions;

namespace Nbdmux.Api.Errors;

/// <summary>Turns the errors a caller can cause into RFC 9457 problem details.</summary>
public sealed class ProblemDetailsMapping(IProblemDetailsService problemDetails, ILogger<ProblemDetailsMapping> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails? problem = exception switch
        {
            ValidationException validation => new HttpValidationProblemDetails(
                validation.Errors
                    .GroupBy(failure => ToSnakeCase(failure.PropertyName))
                    .ToDictionary(group => group.Key, group => group.Select(failure => failure.ErrorMessage).ToArray()))
            {
                Status = ErrorStatus.Of(validation),
                Title = "The request is invalid.",
                Detail = string.Join(" ", validation.Errors.Select(failure => failure.ErrorMessage)),
            },
            NotFoundException notFound => new ProblemDetails
            {
                Status = ErrorStatus.Of(notFound),
                Title = "Not found.",
                Detail = notFound.Message,
            },
            ExportInUseException inUse => new ProblemDetails
            {
                Status = ErrorStatus.Of(inUse),
                Title = "The export is in use.",
                Detail = inUse.Message,
                Extensions =
                {
                    ["connections"] = inUse.Clients
                        .Select(c => c.Node is null ? (object)new { peer = c.Peer, since = c.Since } : new { peer = c.Peer, since = c.Since, node = c.Node })
                        .ToArray(),
                },
            },
            ImageSharedException shared => new ProblemDetails
            {
                Status = ErrorStatus.Of(shared),
                Title = "The file is exported under another name; nothing was changed.",
                Detail = shared.Message,
            },
            ImageUnservableException unservable => new ProblemDetails
            {
                Status = ErrorStatus.Of(unservable),
                Title = "The image cannot be served; nothing was changed.",
                Detail = unservable.Message,
            },
            ChangeNotSavedException notSaved => new ProblemDetails
            {
                Status = ErrorStatus.Of(notSaved),
                Title = "The change could not be saved; nothing was changed.",
                Detail = notSaved.Message,
            },
            NbdServerUnavailableException unavailable => new ProblemDetails
            {
                Status = ErrorStatus.Of(unavailable),
                Title = "nbd-server is unavailable; nothing was changed.",
                Detail = unavailable.Message,
            },
            BadHttpRequestException badRequest => new ProblemDetails
            {
                Status = badRequest.StatusCode,
                Title = "The request could not be read.",
                Detail = badRequest.Message,
            },
            _ => null,
        };

        if (problem is null)
        {
            return false;
        }

        logger.LogInformation("{Method} {Path} refused with {StatusCode}: {Reason}",
            httpContext.Request.Method, httpContext.Request.Path, problem.Status, problem.Detail);
        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    /// <summary>
    /// Existing clients read the message from an `error` member; every problem carries one, and
    /// a validation problem says in its detail what each rule wants.
    /// </summary>
    public static void AddErrorMember(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Detail is null && problem.Status == StatusCodes.Status415UnsupportedMediaType)
        {
            problem.Detail = RequestBodyProblems.UnsupportedMediaType;
        }

        if (problem.Detail is null && problem is HttpValidationProblemDetails { Errors.Count: > 0 } validation)
        {
            problem.Detail = string.Join(" ", validation.Errors.SelectMany(error => error.Value.Select(message => Describe(error.Key, message))));
        }

        problem.Extensions["error"] = problem.Detail ?? problem.Title;
    }

    private static string Describe(string field, string message) =>
        field is "" or "$" || message.Contains(field, StringComparison.OrdinalIgnoreCase) ? message : $"{field}: {message}";

    private static string ToSnakeCase(string name) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}
