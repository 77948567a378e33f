using System.Globalization;

namespace Nbdmux.Bench;

public static class Format
{
    public static string Number(double value) => value switch
    {
        _ when value == Math.Floor(value) && Math.Abs(value) < 1e6 => value.ToString("F0", CultureInfo.InvariantCulture), // counts, round limits
        >= 100 => value.ToString("F0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("F1", CultureInfo.InvariantCulture),
        _ => value.ToString("0.00", CultureInfo.InvariantCulture),
    };
}
