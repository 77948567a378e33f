using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Application.Exports;
using Nbdmux.Application.Nodes;
using Nbdmux.Domain;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Api.Dashboard;

/// <summary>The part of the dashboard that is re-rendered every few seconds: nbd-server state and the exports.</summary>
public sealed record DashboardLive(
    IReadOnlyList<ExportDto> Exports,
    NbdServerStatus Server,
    long OverlayBytes,
    NbdEndpoint Endpoint,
    string ApiBaseUrl,
    bool PasswordRequired,
    DateTimeOffset Now,
    IReadOnlyList<NodeDto>? Nodes = null)
{
    /// <summary>One node needs no table of nodes: the overview above is all of it.</summary>
    public bool IsCluster => Nodes is { Count: > 1 };

    public string ServerState => EnumWords.Of(Server.State);

    public static bool IsWarming(ExportDto export) => export.Status is ExportStatus.Queued or ExportStatus.Fetching or ExportStatus.Decompressing;

    /// <summary>
    /// E.g. "412 MiB of 2 GiB, 38 MiB/s, under a minute left": the rate is the average since the
    /// warm started, steadier than the last refresh's.
    /// </summary>
    public string WarmDetail(ExportDto export)
    {
        if (export.Status == ExportStatus.Queued)
        {
            return "waiting for a free warm slot";
        }

        var done = export.BytesDone ?? 0;
        var amount = export.BytesTotal is { } total ? $"{ByteSize.Describe(done)} of {ByteSize.Describe(total)}" : $"{ByteSize.Describe(done)} so far";
        if (export.Status == ExportStatus.Decompressing)
        {
            return $"{amount} fetched; converting and verifying";
        }

        var elapsed = export.StartedAt is { } started ? (Now - started).TotalSeconds : 0;
        if (elapsed < 1 || done == 0)
        {
            return amount;
        }

        var rate = done / elapsed;
        var left = export.BytesTotal is { } size && size > done ? $", {Durations.Describe(TimeSpan.FromSeconds((size - done) / rate))} left" : "";
        return $"{amount}, {ByteSize.Describe((long)rate)}/s{left}";
    }

    public string? Uptime => Server.RunningSince is { } since ? Durations.Describe(Now - since) : null;

    public string RegisterExample =>
        $"curl -X POST {ApiBaseUrl}/exports \\\n" +
        "  -H 'Content-Type: application/json' \\\n" +
        (PasswordRequired ? "  -H \"Authorization: Bearer $NBDMUX_ADMIN_PASSWORD\" \\\n" : "") +
        "  -d '{\"name\": \"debian\", \"file\": \"/srv/images/debian.img\"}'";
}
