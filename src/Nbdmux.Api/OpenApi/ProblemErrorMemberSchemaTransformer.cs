using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Nbdmux.Api.Errors;

namespace Nbdmux.Api.OpenApi;

/// <summary>Every problem carries the `error` member that existing clients read (see <see cref="ProblemDetailsMapping"/>).</summary>
public sealed class ProblemErrorMemberSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (typeof(ProblemDetails).IsAssignableFrom(context.JsonTypeInfo.Type))
        {
            schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
            schema.Properties["error"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "What went wrong and what to change; the same as `detail`, or `title` when there is no detail.",
            };
            schema.Required ??= new HashSet<string>();
            schema.Required.Add("error");
        }

        return Task.CompletedTask;
    }
}
