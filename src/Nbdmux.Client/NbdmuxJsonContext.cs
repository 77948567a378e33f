using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nbdmux.Client;

/// <summary>The daemon's wire format: snake_case, unknown members ignored.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<NbdmuxExport>))]
[JsonSerializable(typeof(NbdmuxExportSpec))]
[JsonSerializable(typeof(NbdmuxWarmSpec))]
[JsonSerializable(typeof(NbdmuxImagePage))]
[JsonSerializable(typeof(List<NbdmuxNode>))]
internal sealed partial class NbdmuxJsonContext : JsonSerializerContext;
