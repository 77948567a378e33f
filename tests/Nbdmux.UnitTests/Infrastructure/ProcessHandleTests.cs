using System.Diagnostics;
using Nbdmux.Infrastructure.Linux;
using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.UnitTests.Infrastructure;

public class ProcessHandleTests
{
    public static TheoryData<string> Kinds => ["pidfd", "start time"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_handle_tells_when_its_process_has_exited(string kind)
    {
        using var sleeper = Process.Start("sleep", "30");
        using var handle = Open(kind, sleeper.Id);

        Assert.False(handle!.HasExited);
        sleeper.Kill();
        await sleeper.WaitForExitAsync();

        Assert.True(handle.HasExited);
        Assert.Null(Open(kind, sleeper.Id));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Waiting_for_exit_ends_when_the_process_does_and_times_out_while_it_lives(string kind)
    {
        using var sleeper = Process.Start("sleep", "30");
        using var handle = Open(kind, sleeper.Id);

        Assert.False(await handle!.WaitForExitAsync(TimeSpan.FromMilliseconds(20)));
        sleeper.Kill();

        Assert.True(await handle.WaitForExitAsync(TimeSpan.FromSeconds(5)));
    }

    private static ProcessHandle? Open(string kind, int pid) => kind == "pidfd" ? ProcessHandle.Open(pid) : ProcessHandle.ByStartTime(pid);
}
