using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Infrastructure.DataPlane;

/// <summary>The registered exports as nbdmux starts: those it may serve, and those it withholds with why.</summary>
public sealed record RecoveredExports(IReadOnlyList<ServedExport> Served, IReadOnlyDictionary<string, string> Withheld);

/// <summary>
/// Reads the registry at start-up and checks every export's file again: a configuration change
/// (image roots) or a change to the file since registration must never be served silently.
/// </summary>
public sealed class StartupRecovery(IServiceScopeFactory scopes, IImageFiles imageFiles, ILogger<StartupRecovery> logger)
{
    public async Task<RecoveredExports> LoadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var exports = await scope.ServiceProvider.GetRequiredService<IExportStore>().ListAsync(cancellationToken);
        var served = new List<ServedExport>();
        var withheld = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var export in exports)
        {
            if (imageFiles.Inspect(export.FilePath) is { Image: null, Problem: var problem })
            {
                logger.LogWarning("Export {ExportName} is registered but NOT served: {Reason}", export.Name, problem);
                withheld[export.Name] = problem!;
                continue;
            }

            served.Add(ServedExport.From(export));
        }

        return new RecoveredExports(served, withheld);
    }
}
