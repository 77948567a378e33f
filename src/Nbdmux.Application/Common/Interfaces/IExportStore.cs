using Nbdmux.Domain.Exports;

namespace Nbdmux.Application.Common.Interfaces;

/// <summary>The persisted registry of exports.</summary>
public interface IExportStore
{
    Task<Export?> FindAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// All exports, sorted by name. Outside a change, the same list (of shared exports, never to be
    /// changed) until a change commits, so what is derived from it can be kept as long as it is the same.
    /// </summary>
    Task<IReadOnlyList<Export>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// An export other than <paramref name="besides"/> registered with the file at
    /// <paramref name="path"/> or with the file <paramref name="identity"/> names (another path to
    /// it), as committed; with <paramref name="onlyWriters"/>, one that writes it. Asked on every
    /// registration, so it answers with one row however many exports share the file.
    /// </summary>
    Task<ImageSharer?> SharerAsync(string path, FileIdentity? identity, string besides, bool onlyWriters, CancellationToken cancellationToken);

    /// <summary>
    /// Starts a change that holds the registry's write lock until it is committed or disposed,
    /// so concurrent changes to the same name apply one after the other.
    /// </summary>
    Task<IExportChange> BeginChangeAsync(CancellationToken cancellationToken);

    void Add(Export export);

    void Remove(Export export);
}

public interface IExportChange : IAsyncDisposable
{
    /// <summary>
    /// Writes the pending changes, runs <paramref name="makeLive"/> while they are still
    /// uncommitted and commits only if it succeeds: the registry never records a change that
    /// did not reach the wire. If the commit itself fails (a full disk), <paramref name="undo"/>
    /// puts the wire back as the registry still has it. Disposing an uncommitted change rolls it back.
    /// </summary>
    /// <exception cref="Exceptions.ChangeNotSavedException">The registry could not record the change.</exception>
    Task CommitAsync(Func<Task> makeLive, Func<Task> undo, CancellationToken cancellationToken);

    /// <summary>
    /// A forced change: every other node that shares the registry disconnects its own clients of
    /// <paramref name="exportName"/> as it applies the change, before it confirms it.
    /// </summary>
    void CutClients(string exportName);
}

/// <summary>Another export registered with the same image file, and whether it writes to it.</summary>
public sealed record ImageSharer(string Name, bool Writes);
