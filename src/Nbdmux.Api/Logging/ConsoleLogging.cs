using Microsoft.Extensions.Logging.Console;
using Nbdmux.Api.Configuration;

namespace Nbdmux.Api.Logging;

public static class ConsoleLogging
{
    private const string UtcTimestamp = "yyyy-MM-ddTHH:mm:ss.fffZ";

    /// <summary>
    /// One line per event on the console: text for people, or JSON (--log-format json) for log
    /// shippers. The format is picked from the final configuration, so it can also come from the
    /// environment or a test; an invalid value is reported by options validation at start.
    /// </summary>
    public static ILoggingBuilder AddNbdmuxConsole(this ILoggingBuilder logging)
    {
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = UtcTimestamp + " ";
            console.UseUtcTimestamp = true;
        });
        logging.AddJsonConsole(console =>
        {
            console.TimestampFormat = UtcTimestamp;
            console.UseUtcTimestamp = true;
        });
        logging.Services.AddOptions<ConsoleLoggerOptions>().Configure<IConfiguration>((console, configuration) =>
            console.FormatterName = NbdmuxSettings.BindApi(configuration).LogFormat == ApiOptions.JsonLogFormat
                ? ConsoleFormatterNames.Json
                : ConsoleFormatterNames.Simple);
        return logging;
    }
}
