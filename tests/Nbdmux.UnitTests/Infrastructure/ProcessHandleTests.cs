using System.Diagnostics;
using Nbdmux.Infrastructure.Linux;

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

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Kill_ends_the_process_and_is_harmless_once_it_has_ended(string kind)
    {
        using var sleeper = Process.Start("sleep", "30");
        using var handle = Open(kind, sleeper.Id);

        handle!.Kill();
        await sleeper.WaitForExitAsync();
        handle.Kill();

        Assert.Equal(137, sleeper.ExitCode);
        Assert.True(handle.HasExited);
    }

    [Fact]
    public void A_handle_knows_when_its_process_started()
    {
        using var sleeper = Process.Start("sleep", "30");
        using var handle = ProcessHandle.Open(sleeper.Id);
        sleeper.Kill();

        Assert.InRange(handle!.StartedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
    }

    private static ProcessHandle? Open(string kind, int pid) => kind == "pidfd" ? ProcessHandle.Open(pid) : ProcessHandle.ByStartTime(pid);
}
