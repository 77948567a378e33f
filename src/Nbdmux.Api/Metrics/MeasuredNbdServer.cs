using System.Diagnostics;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Api.Metrics;

/// <summary>Times every export change the wrapped nbd-server makes live, including the ones that fail.</summary>
public sealed class MeasuredNbdServer(INbdServer inner, NbdmuxMetrics metrics) : INbdServer
{
    public NbdServerStatus Status => inner.Status;

    public Task<bool> AnswersAsync(CancellationToken cancellationToken) => inner.AnswersAsync(cancellationToken);

    public Task PublishAsync(ServedExport export, CancellationToken cancellationToken) =>
        MeasureAsync("publish", () => inner.PublishAsync(export, cancellationToken));

    public Task WithdrawAsync(string name, CancellationToken cancellationToken) =>
        MeasureAsync("withdraw", () => inner.WithdrawAsync(name, cancellationToken));

    public long OverlayBytes() => inner.OverlayBytes();

    public IReadOnlyList<ClientConnection> Connections() => inner.Connections();

    public Task DisconnectAsync(IReadOnlyList<ClientConnection> connections, CancellationToken cancellationToken) =>
        inner.DisconnectAsync(connections, cancellationToken);

    private async Task MeasureAsync(string operation, Func<Task> change)
    {
        var elapsed = Stopwatch.StartNew();
        var outcome = "failed";
        try
        {
            await change();
            outcome = "ok";
        }
        finally
        {
            metrics.Reconfigurations.WithLabels(operation, outcome).Observe(elapsed.Elapsed.TotalSeconds);
        }
    }
}
