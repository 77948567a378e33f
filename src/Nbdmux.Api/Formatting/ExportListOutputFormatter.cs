using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Formatters;
using Nbdmux.Application.Exports;
using Nbdmux.Application.Exports.GetExports;

namespace Nbdmux.Api.Formatting;

/// <summary>
/// Writes an <see cref="ExportList"/> as JSON rendered once per list (a list never changes, and
/// the same one is answered until anything in it does), with the options of MVC's own JSON
/// formatter (which escape less than the JsonOptions they copy), so the body is byte for byte
/// what that formatter would write, without rendering every record on every request.
/// </summary>
public sealed class ExportListOutputFormatter : TextOutputFormatter
{
    private readonly SystemTextJsonOutputFormatter _json;
    private readonly ConditionalWeakTable<ExportList, byte[]> _rendered = [];

    public ExportListOutputFormatter(SystemTextJsonOutputFormatter json)
    {
        _json = json;
        foreach (var mediaType in json.SupportedMediaTypes)
        {
            SupportedMediaTypes.Add(mediaType);
        }

        SupportedEncodings.Add(Encoding.UTF8);
    }

    /// <summary>The list as UTF-8 JSON, exactly as <see cref="JsonSerializer"/> writes its records.</summary>
    public ReadOnlyMemory<byte> Utf8Json(ExportList list) =>
        _rendered.GetValue(list, rendering => JsonSerializer.SerializeToUtf8Bytes<IReadOnlyList<ExportDto>>(rendering, _json.SerializerOptions));

    public override bool CanWriteResult(OutputFormatterCanWriteContext context) =>
        context.Object is ExportList && base.CanWriteResult(context);

    public override async Task WriteResponseBodyAsync(OutputFormatterWriteContext context, Encoding selectedEncoding)
    {
        var response = context.HttpContext.Response;
        var json = Utf8Json((ExportList)context.Object!);
        response.ContentLength = json.Length;
        await response.Body.WriteAsync(json, context.HttpContext.RequestAborted);
    }

    protected override bool CanWriteType(Type? type) => type is not null && type.IsAssignableFrom(typeof(ExportList));
}
