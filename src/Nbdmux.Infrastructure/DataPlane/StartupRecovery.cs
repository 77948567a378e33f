using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;

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
        // A warm yet to land has nothing to serve; the warmer takes it up again.
        foreach (var export in exports.Where(e => e.Status == ExportStatus.Ready))
        {
            var (valid, problem) = Check(export);
            if (valid is null)
            {
                logger.LogWarning("Export {ExportName} is registered but NOT served: {Reason}", export.Name, problem);
                withheld[export.Name] = problem!;
                continue;
            }

            served.Add(valid);
        }

        return new RecoveredExports(served, withheld);
    }

    /// <summary>
    /// The export as it may be served, or why not: its file must pass the checks of a new
    /// registration, and settings stored by an earlier version must meet today's rules (e.g. an
    /// allow entry with host bits set).
    /// </summary>
    private (ServedExport? Served, string? Problem) Check(Nbdmux.Domain.Exports.Export export)
    {
        ServedExport served;
        try
        {
            served = ServedExport.From(export);
        }
        catch (ArgumentException e)
        {
            return (null, $"its stored settings break a rule of this version ({e.Message}); register it again with valid settings.");
        }

        return imageFiles.ProblemServing(served) is { } problem ? (null, problem) : (served, null);
    }
}
