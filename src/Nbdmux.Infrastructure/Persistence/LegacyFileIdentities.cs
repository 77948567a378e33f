using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Infrastructure.Persistence;

/// <summary>
/// Exports registered before nbdmux recorded which file each one is (device and inode) get it
/// once: the file their path names now, checked as at registration. One that fails the checks
/// keeps none, and the supervisor withholds it.
/// </summary>
public static class LegacyFileIdentities
{
    public static async Task RecordMissingFileIdentitiesAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NbdmuxDbContext>();
        var files = scope.ServiceProvider.GetRequiredService<IImageFiles>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LegacyFileIdentities));
        foreach (var export in (await db.Exports.ToListAsync(cancellationToken)).Where(e => e.FileIdentity is null && e.Status == ExportStatus.Ready))
        {
            var inspection = files.Inspect(export.FilePath);
            if (inspection.Image is { } image && image.Path == export.FilePath)
            {
                export.RecordFileIdentity(image.Identity);
                logger.LogInformation(
                    "Export {ExportName} was registered before nbdmux recorded file identities: from now on it serves only the file now at {FilePath} ({FileIdentity})",
                    export.Name, export.FilePath, image.Identity);
            }
            else
            {
                logger.LogWarning(
                    "Export {ExportName} was registered before nbdmux recorded file identities, and {FilePath} fails the registration checks now: {Reason}",
                    export.Name, export.FilePath, inspection.Problem ?? $"it resolves to '{inspection.Image!.Path}'");
            }
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
