using Nbdmux.Application.Common.Cluster;

namespace Nbdmux.Api.Cluster;

/// <summary>
/// A change answered before every node that is up confirmed serving it says which did not, in
/// the header <c>Nbdmux-Unconfirmed-Nodes</c> (comma-separated names); GET /nodes shows their lag.
/// </summary>
public static class UnconfirmedNodesHeader
{
    public const string Name = "Nbdmux-Unconfirmed-Nodes";

    public static IApplicationBuilder UseUnconfirmedNodesHeader(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var propagation = context.RequestServices.GetRequiredService<ChangePropagation>();
            context.Response.OnStarting(() =>
            {
                if (propagation.Unconfirmed.Count > 0)
                {
                    context.Response.Headers[Name] = string.Join(", ", propagation.Unconfirmed);
                }

                return Task.CompletedTask;
            });
            await next(context);
        });
}
