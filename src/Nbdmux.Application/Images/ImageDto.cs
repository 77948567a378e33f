using Nbdmux.Domain.Exports;

namespace Nbdmux.Application.Images;

/// <summary>
/// A file beneath an image root as the API shows it: <paramref name="Servable"/> when it could be
/// registered now, else <paramref name="Problem"/> says why (and how to fix it, e.g. the command
/// that converts a qcow2 image); <paramref name="Exports"/> names the exports that serve it.
/// </summary>
public sealed record ImageDto(
    string Path,
    long SizeBytes,
    bool Servable,
    string? Problem,
    PartitionTable? PartitionTable,
    IReadOnlyList<string> Exports);

/// <summary>One page of the files beneath <paramref name="Roots"/>, sorted by path; <paramref name="Total"/> counts them all.</summary>
public sealed record ImagePage(IReadOnlyList<string> Roots, IReadOnlyList<ImageDto> Images, int Page, int PageSize, int Total);
