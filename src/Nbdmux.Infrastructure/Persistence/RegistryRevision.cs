using Microsoft.EntityFrameworkCore;

namespace Nbdmux.Infrastructure.Persistence;

/// <summary>
/// The registry's one revision number, moved on by every change that commits (in the change's own
/// transaction), so a node knows from one number whether what it serves is current.
/// </summary>
public sealed class RegistryRevision
{
    public const int RowId = 1;

    public int Id { get; set; }

    public long Revision { get; set; }
}

public static class RegistryRevisions
{
    /// <summary>The registry's revision as committed (or as the caller's open change has it).</summary>
    public static Task<long> RevisionAsync(this NbdmuxDbContext db, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<long>($"SELECT revision AS \"Value\" FROM registry").SingleAsync(cancellationToken);
}
