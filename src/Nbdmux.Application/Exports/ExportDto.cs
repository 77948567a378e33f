using Nbdmux.Domain.Exports;

namespace Nbdmux.Application.Exports;

/// <summary>An export as the API shows it (snake_case on the wire: size_bytes, created_at, ...).</summary>
public sealed record ExportDto(
    string Name,
    string File,
    bool Readonly,
    string Status,
    long SizeBytes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Served to new clients now.</summary>
    public const string Active = "active";

    /// <summary>Registered, but nbd-server is not running, so nobody can connect.</summary>
    public const string Unavailable = "unavailable";

    public static ExportDto From(Export export, bool serverRunning) => new(
        export.Name,
        export.FilePath,
        export.ReadOnly,
        serverRunning ? Active : Unavailable,
        export.SizeBytes,
        export.CreatedAt,
        export.UpdatedAt);
}
