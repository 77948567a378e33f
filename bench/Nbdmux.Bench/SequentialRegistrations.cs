using System.Diagnostics;

namespace Nbdmux.Bench;

/// <summary>
/// Registers new names one after the other, each POST on a new TCP connection and sent when
/// the previous one was answered, as a provisioning script calling curl in a loop would.
/// </summary>
public sealed class SequentialRegistrations(DaemonProcess daemon)
{
    public static string NameOf(int index) => $"bench-{index:D5}";

    /// <summary>Registers names 0..<paramref name="count"/>-1: each POST's time, the TCP connections they opened, and the total.</summary>
    public async Task<RegistrationRun> RegisterAsync(int count, string image)
    {
        var api = daemon.FreshConnectionApi;
        var connectionsBefore = api.Connections;
        var times = new List<double>();
        var elapsed = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            times.Add(await api.RegisterAsync(NameOf(i), image));
        }

        return new RegistrationRun(times, api.Connections - connectionsBefore, elapsed.Elapsed);
    }
}

/// <summary>One run of sequential registrations: each POST's time in ms, the TCP connections opened, the total.</summary>
public sealed record RegistrationRun(List<double> Milliseconds, int Connections, TimeSpan Total)
{
    /// <summary>How the run went: warm-up (the first tenth) against the end (the last tenth), and the slowest.</summary>
    public string Describe()
    {
        var decile = Math.Max(1, Milliseconds.Count / 10);
        return $"{Milliseconds.Count} POSTs opened {Connections} TCP connections; a registration took " +
               $"{Format.Number(Stats.Median(Milliseconds[..decile]))} ms (median) among the first {decile} " +
               $"and {Format.Number(Stats.Median(Milliseconds[^decile..]))} ms among the last {decile}; slowest {Format.Number(Milliseconds.Max())} ms.";
    }
}
