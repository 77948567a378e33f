namespace Nbdmux.Bench;

/// <summary>A goal from issue 6: the figure's median must be at most (or at least) the limit.</summary>
public sealed record Target(double Limit, bool AtMost)
{
    public static Target Max(double limit) => new(limit, AtMost: true);

    public static Target Min(double limit) => new(limit, AtMost: false);

    public bool IsMetBy(double value) => AtMost ? value <= Limit : value >= Limit;

    public string Describe(string unit) => $"{(AtMost ? "≤" : "≥")} {Format.Number(Limit)} {unit}".TrimEnd();
}
