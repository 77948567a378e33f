using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nbdmux.Client;

/// <summary>The daemon's wire format: snake_case, unknown members ignored.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(List<NbdmuxExport>))]
[JsonSerializable(typeof(AddExportRequest))]
internal sealed partial class NbdmuxJsonContext : JsonSerializerContext;

internal sealed record AddExportRequest(string Name, string File, bool Readonly);
