using System.Text.Json.Serialization;
using Nbdmux.Client;

namespace Nbdmux.Cli;

/// <summary>--json output: the daemon's own snake_case records, indented for people reading along.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(IReadOnlyList<NbdmuxExport>))]
[JsonSerializable(typeof(NbdmuxExport))]
[JsonSerializable(typeof(NbdmuxHealth))]
[JsonSerializable(typeof(IReadOnlyList<NbdmuxNode>))]
[JsonSerializable(typeof(NbdmuxImagePage))]
[JsonSerializable(typeof(RemoveOutcome))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

internal sealed record RemoveOutcome(string Name, bool Removed);
