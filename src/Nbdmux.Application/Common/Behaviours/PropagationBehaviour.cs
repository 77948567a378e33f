using MediatR;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Cluster;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Application.Common.Behaviours;

/// <summary>
/// A request that committed a change is answered only once every node that is up serves it (or a
/// timeout names those that do not): read-your-writes holds across the nodes of a cluster.
/// </summary>
public sealed class PropagationBehaviour<TRequest, TResponse>(
    ChangePropagation propagation, IClusterPropagation cluster, ILogger<PropagationBehaviour<TRequest, TResponse>> logger)
    : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var response = await next();
        if (propagation.CommittedRevision is { } revision)
        {
            var unconfirmed = await cluster.ConfirmAsync(revision, cancellationToken);
            if (unconfirmed.Count > 0)
            {
                logger.LogWarning("Registry revision {Revision} committed, but nodes {Nodes} did not confirm serving it in time", revision, unconfirmed);
            }

            propagation.NotConfirmedBy(unconfirmed);
        }

        return response;
    }
}
