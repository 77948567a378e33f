using System.Text;
using Microsoft.AspNetCore.Mvc.Formatters;
using Nbdmux.Application.Exports.GetExports;

namespace Nbdmux.Api.Formatting;

/// <summary>
/// Writes an <see cref="ExportList"/> from the JSON it keeps, rendered with the options of MVC's
/// own JSON formatter (which escape less than the JsonOptions they copy), so the body is byte
/// for byte what that formatter would write, without rendering 1,000 records on every request.
/// </summary>
public sealed class ExportListOutputFormatter : TextOutputFormatter
{
    private readonly SystemTextJsonOutputFormatter _json;

    public ExportListOutputFormatter(SystemTextJsonOutputFormatter json)
    {
        _json = json;
        foreach (var mediaType in json.SupportedMediaTypes)
        {
            SupportedMediaTypes.Add(mediaType);
        }

        SupportedEncodings.Add(Encoding.UTF8);
    }

    public override bool CanWriteResult(OutputFormatterCanWriteContext context) =>
        context.Object is ExportList && base.CanWriteResult(context);

    public override async Task WriteResponseBodyAsync(OutputFormatterWriteContext context, Encoding selectedEncoding)
    {
        var response = context.HttpContext.Response;
        var json = ((ExportList)context.Object!).ToUtf8Json(_json.SerializerOptions);
        response.ContentLength = json.Length;
        await response.Body.WriteAsync(json, context.HttpContext.RequestAborted);
    }

    protected override bool CanWriteType(Type? type) => type is not null && type.IsAssignableFrom(typeof(ExportList));
}
