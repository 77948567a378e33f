namespace Nbdmux.Bench;

/// <summary>A goal for one daemon's figure: its median must be at most (or at least) the limit. <paramref name="Source"/> says which issue set it.</summary>
public sealed record Target(double Limit, bool AtMost, string Source)
{
    public static Target Max(double limit, string source = Figures.Issue13) => new(limit, AtMost: true, source);

    public static Target Min(double limit, string source = Figures.Issue13) => new(limit, AtMost: false, source);

    public bool IsMetBy(double value) => AtMost ? value <= Limit : value >= Limit;

    public string Describe(string unit) => $"{(AtMost ? "≤" : "≥")} {Format.Number(Limit)} {unit}".TrimEnd();
}
