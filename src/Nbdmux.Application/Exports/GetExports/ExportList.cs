using System.Collections;

namespace Nbdmux.Application.Exports.GetExports;

/// <summary>
/// Every export as the API shows it, sorted by name. It never changes once built, so whoever
/// renders it may keep the rendering for as long as it holds this list.
/// </summary>
public sealed class ExportList(IReadOnlyList<ExportDto> exports) : IReadOnlyList<ExportDto>
{
    public int Count => exports.Count;

    public ExportDto this[int index] => exports[index];

    public IEnumerator<ExportDto> GetEnumerator() => exports.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
