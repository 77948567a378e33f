namespace Nbdmux.Bench;

/// <summary>What a figure is: its id in RESULTS.md, a title ("{N}" stands for the export count), its unit and the target, if any.</summary>
public sealed record FigureSpec(string Id, string Title, string Unit, Target? Target = null)
{
    public Figure Of(IEnumerable<double> runs, string note = "") => new(this, runs.ToList(), note);
}

/// <summary>One reported number: its value in each repetition, summarised as median, min and max.</summary>
public sealed record Figure(FigureSpec Spec, IReadOnlyList<double> Runs, string Note)
{
    public double Median => Stats.Median(Runs);

    public bool? MeetsTarget => Spec.Target?.IsMetBy(Median);
}
