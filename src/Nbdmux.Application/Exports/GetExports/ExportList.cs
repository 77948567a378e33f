using System.Collections;
using System.Text.Json;

namespace Nbdmux.Application.Exports.GetExports;

/// <summary>
/// Every export as the API shows it, sorted by name. It never changes, so its JSON is rendered
/// once and kept: 1,000 records are about 340 KiB, too much to render on every request.
/// </summary>
public sealed class ExportList(IReadOnlyList<ExportDto> exports) : IReadOnlyList<ExportDto>
{
    private volatile RenderedJson? _json;

    public int Count => exports.Count;

    public ExportDto this[int index] => exports[index];

    /// <summary>The list as UTF-8 JSON, exactly as <see cref="JsonSerializer"/> writes it with these options.</summary>
    public ReadOnlyMemory<byte> ToUtf8Json(JsonSerializerOptions options)
    {
        if (_json is not { } json || json.Options != options)
        {
            json = new RenderedJson(options, JsonSerializer.SerializeToUtf8Bytes(exports, options));
            _json = json;
        }

        return json.Utf8;
    }

    public IEnumerator<ExportDto> GetEnumerator() => exports.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed record RenderedJson(JsonSerializerOptions Options, byte[] Utf8);
}
