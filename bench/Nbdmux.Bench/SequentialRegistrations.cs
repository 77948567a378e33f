using System.Diagnostics;

namespace Nbdmux.Bench;

/// <summary>Registers new names one after the other, as a provisioning script would; each is a new section for nbd-server.</summary>
public sealed class SequentialRegistrations(NbdmuxProcess nbdmux)
{
    public static string NameOf(int index) => $"bench-{index:D5}";

    /// <summary>Registers names <paramref name="from"/>..<paramref name="to"/>-1 and returns each POST's time in ms.</summary>
    public async Task<List<double>> RegisterAsync(int from, int to, string image)
    {
        var times = new List<double>();
        for (var i = from; i < to; i++)
        {
            var elapsed = Stopwatch.StartNew();
            await nbdmux.RegisterAsync(NameOf(i), image);
            times.Add(elapsed.Elapsed.TotalMilliseconds);
        }

        return times;
    }
}
