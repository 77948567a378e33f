using Nbdmux.Application.Common.Interfaces;
using Prometheus;

namespace Nbdmux.Api.Metrics;

/// <summary>
/// nbdmux's own instruments, in a registry per application instance (not prometheus-net's
/// process-wide default) so that each host, including each test host, reports only itself.
/// </summary>
public sealed class NbdmuxMetrics : IWarmMetrics
{
    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public NbdmuxMetrics()
    {
        DotNetStats.Register(Registry);
        var metrics = Prometheus.Metrics.WithCustomRegistry(Registry);
        Factory = metrics;
        Exports = metrics.CreateGauge("nbdmux_exports", "Registered exports by status, as GET /exports reports them.", "status");
        Connections = metrics.CreateGauge("nbdmux_export_connections", "Clients connected to each export now.", "export");
        NbdServerUp = metrics.CreateGauge("nbdmux_nbd_server_up", "1 while the supervisor reports nbd-server running, else 0.");
        NbdServerRestarts = metrics.CreateCounter(
            "nbdmux_nbd_server_restarts_total", "Restarts of the NBD server since nbdmux started after it died or stopped answering.");
        NbdServerPlannedRestarts = metrics.CreateCounter(
            "nbdmux_nbd_server_planned_restarts_total", "Restarts of the NBD server since nbdmux started that an export change needed (nbd-server backend); not failures.");
        BuildInfo = metrics.CreateGauge("nbdmux_build_info", "Always 1; the labels say which nbdmux and NBD backend run.", "version", "backend");
        OverlayBytes = metrics.CreateGauge("nbdmux_cow_overlay_bytes", "Disk space taken now by copy-on-write clients' private overlays.");
        Reconfigurations = metrics.CreateHistogram(
            "nbdmux_nbd_server_reconfiguration_seconds",
            "Time until an export change was proven live on the NBD port (or failed).",
            new HistogramConfiguration
            {
                LabelNames = ["operation", "outcome"],
                // From a record or gate written (under a millisecond) to a listener restart (up to seconds).
                Buckets = Histogram.ExponentialBuckets(0.001, 2, 15),
            });
        WarmFetchedBytes = metrics.CreateCounter("nbdmux_warm_fetched_bytes_total", "Bytes warms read from their sources (as sent: compressed when the source is).");
        Warms = metrics.CreateHistogram(
            "nbdmux_warm_duration_seconds",
            "Warms that ended, by outcome (ready, failed, cancelled), and how long each ran.",
            new HistogramConfiguration
            {
                LabelNames = ["outcome"],
                // From a refused source (milliseconds) to a large image over a slow link (hours).
                Buckets = Histogram.ExponentialBuckets(0.01, 4, 12),
            });
    }

    public Counter WarmFetchedBytes { get; }

    public Histogram Warms { get; }

    public void Fetched(long bytes) => WarmFetchedBytes.Inc(bytes);

    public void Ended(string outcome, TimeSpan duration) => Warms.WithLabels(outcome).Observe(duration.TotalSeconds);

    public IMetricFactory Factory { get; }

    public Gauge Exports { get; }

    public Gauge Connections { get; }

    public Gauge NbdServerUp { get; }

    public Counter NbdServerRestarts { get; }

    public Counter NbdServerPlannedRestarts { get; }

    public Gauge BuildInfo { get; }

    public Gauge OverlayBytes { get; }

    public Histogram Reconfigurations { get; }
}
