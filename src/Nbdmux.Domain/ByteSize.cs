using System.Globalization;

namespace Nbdmux.Domain;

/// <summary>How nbdmux shows a size to people, in the dashboard and the command line alike.</summary>
public static class ByteSize
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>
    /// Binary units, as disk image tools print them: 512 B, 1.5 GiB, 20 GiB, 412 MiB. One
    /// decimal only where it says something: not for whole numbers, nor from 100 up.
    /// </summary>
    public static string Describe(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        var format = unit == 0 || value >= 100 || value % 1 == 0 ? "0" : "0.0";
        return value.ToString(format, CultureInfo.InvariantCulture) + " " + Units[unit];
    }
}
