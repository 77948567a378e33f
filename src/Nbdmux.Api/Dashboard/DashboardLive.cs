using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Application.Exports;

namespace Nbdmux.Api.Dashboard;

/// <summary>The part of the dashboard that is re-rendered every few seconds: nbd-server state and the exports.</summary>
public sealed record DashboardLive(
    IReadOnlyList<ExportDto> Exports,
    NbdServerStatus Server,
    long OverlayBytes,
    NbdEndpoint Endpoint,
    string ApiBaseUrl,
    bool PasswordRequired,
    DateTimeOffset Now)
{
    public string ServerState => Server.State.ToString().ToLowerInvariant();

    public string? Uptime => Server.RunningSince is { } since ? Durations.Describe(Now - since) : null;

    public string RegisterExample =>
        $"curl -X POST {ApiBaseUrl}/exports \\\n" +
        "  -H 'Content-Type: application/json' \\\n" +
        (PasswordRequired ? "  -H \"Authorization: Bearer $NBDMUX_ADMIN_PASSWORD\" \\\n" : "") +
        "  -d '{\"name\": \"debian\", \"file\": \"/srv/images/debian.img\"}'";
}
