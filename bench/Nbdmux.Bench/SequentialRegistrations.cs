namespace Nbdmux.Bench;

/// <summary>
/// Registers new names one after the other, each POST on a new TCP connection and sent when
/// the previous one was answered, as a provisioning script calling curl in a loop would.
/// </summary>
public sealed class SequentialRegistrations(DaemonProcess daemon)
{
    public static string NameOf(int index) => $"bench-{index:D5}";

    /// <summary>Registers names 0..<paramref name="count"/>-1; returns each POST's time in ms, and the TCP connections they opened.</summary>
    public async Task<(List<double> Milliseconds, int Connections)> RegisterAsync(int count, string image)
    {
        var api = daemon.FreshConnectionApi;
        var connectionsBefore = api.Connections;
        var times = new List<double>();
        for (var i = 0; i < count; i++)
        {
            times.Add(await api.RegisterAsync(NameOf(i), image));
        }

        return (times, api.Connections - connectionsBefore);
    }
}
