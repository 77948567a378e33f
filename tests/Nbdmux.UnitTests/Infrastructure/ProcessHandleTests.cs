using System.Diagnostics;
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

    private static ProcessHandle? Open(string kind, int pid) => kind == "pidfd" ? ProcessHandle.Open(pid) : ProcessHandle.ByStartTime(pid);
}
