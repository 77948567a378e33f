namespace Nbdmux.Api.Controllers;

/// <summary>
/// The body of POST /exports: serve <paramref name="File"/> under <paramref name="Name"/>, or fetch
/// the image from <paramref name="SrcUrl"/> first. Nullable throughout so that a missing member
/// reaches the validator, which says what to fix.
/// </summary>
public sealed record RegisterExportRequest(
    string? Name,
    string? File,
    bool? Readonly,
    bool? CopyOnWrite = null,
    IReadOnlyList<string>? Allow = null,
    string? SrcUrl = null,
    string? Format = null,
    string? Sha256 = null);
