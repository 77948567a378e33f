namespace Nbdmux.Bench;

/// <summary>
/// What a figure is: its id in RESULTS.md, a title ("{N}" stands for the export count), its unit,
/// the daemons it is measured on side by side (none: a baseline without nbdmux), and the target
/// each daemon has, if any.
/// </summary>
public sealed record FigureSpec(string Id, string Title, string Unit, IReadOnlyList<Daemon> Daemons, IReadOnlyDictionary<Daemon, Target> Targets)
{
    public FigureSpec(string id, string title, string unit, IReadOnlyList<Daemon> daemons, params (Daemon Daemon, Target Target)[] targets)
        : this(id, title, unit, daemons, targets.ToDictionary(t => t.Daemon, t => t.Target))
    {
    }

    public bool IsBaseline => Daemons.Count == 0;

    public Figure Of(Daemon daemon, IEnumerable<double> runs, string note = "") => new(this, daemon, runs.ToList(), note, NotMeasured: null);

    /// <summary>A baseline figure: measured without any nbdmux.</summary>
    public Figure Of(IEnumerable<double> runs, string note = "") => new(this, null, runs.ToList(), note, NotMeasured: null);

    public Figure Unmeasured(Daemon daemon, string reason) => new(this, daemon, [], "", reason);
}

/// <summary>One reported number for one daemon (or a baseline): its value in each repetition, summarised as median, min and max; or why it was not measured.</summary>
public sealed record Figure(FigureSpec Spec, Daemon? Daemon, IReadOnlyList<double> Runs, string Note, string? NotMeasured)
{
    public double Median => Stats.Median(Runs);

    public Target? Target => Daemon is { } daemon ? Spec.Targets.GetValueOrDefault(daemon) : null;

    public bool? MeetsTarget => NotMeasured is null ? Target?.IsMetBy(Median) : null;
}
