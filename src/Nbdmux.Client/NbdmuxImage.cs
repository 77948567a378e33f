namespace Nbdmux.Client;

/// <summary>A file beneath the daemon's image roots.</summary>
/// <param name="Path">Canonical path on the daemon's host.</param>
/// <param name="SizeBytes">Its size.</param>
/// <param name="Servable">Whether it can be exported now.</param>
/// <param name="Problem">Why it cannot (and what to do), when it cannot.</param>
/// <param name="PartitionTable">"gpt", "mbr" or "none" for a servable image.</param>
/// <param name="Exports">The exports that serve it.</param>
public sealed record NbdmuxImage(string Path, long SizeBytes, bool Servable, string? Problem, string? PartitionTable, IReadOnlyList<string> Exports);

/// <summary>One page of the files beneath <paramref name="Roots"/>; <paramref name="Total"/> counts them all.</summary>
public sealed record NbdmuxImagePage(IReadOnlyList<string> Roots, IReadOnlyList<NbdmuxImage> Images, int Page, int PageSize, int Total);
