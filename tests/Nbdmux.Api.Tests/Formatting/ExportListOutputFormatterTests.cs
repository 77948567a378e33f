using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Formatters;
using Nbdmux.Api.Formatting;
using Nbdmux.Application.Exports;
using Nbdmux.Application.Exports.GetExports;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Api.Tests.Formatting;

public sealed class ExportListOutputFormatterTests
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerOptions.Default) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly ExportListOutputFormatter _formatter = new(new SystemTextJsonOutputFormatter(Options));

    private static ExportList List(params string[] names) =>
        new(names.Select(name => new ExportDto(
            name, $"/images/{name}.img", Readonly: true, CopyOnWrite: false, Allow: null, ExportStatus.Unavailable, Problem: null,
            SizeBytes: 512, PartitionTable: PartitionTable.None, ConnectionCount: 0, Connections: [], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch,
            SrcUrl: null, Format: null, Sha256: null, BytesTotal: null, BytesDone: null, Progress: null, Error: null,
            EnqueuedAt: null, StartedAt: null, CompletedAt: null, NbdClientCommand: null, KernelCommandLine: null)).ToList());

    [Fact]
    public void A_list_is_rendered_once_exactly_as_the_serializer_writes_its_records()
    {
        var list = List("a", "b");

        var json = _formatter.Utf8Json(list);

        Assert.True(json.Span == _formatter.Utf8Json(list).Span);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(list.ToList(), Options), json.ToArray());
    }

    [Fact]
    public void Another_list_gets_its_own_rendering()
    {
        Assert.NotEqual(_formatter.Utf8Json(List("a")).ToArray(), _formatter.Utf8Json(List("b")).ToArray());
    }
}
