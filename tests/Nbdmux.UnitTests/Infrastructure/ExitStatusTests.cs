using Nbdmux.Infrastructure.Linux;
using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.UnitTests.Infrastructure;

/// <summary>Status words as waitpid(2) returned them on Linux for nbd-server processes.</summary>
public class ExitStatusTests
{
    [Theory]
    [InlineData(0x0000, 0)]
    [InlineData(0x0100, 1)] // a client process whose client left during the handshake
    [InlineData(0xff00, 255)]
    public void A_process_that_exited_has_its_exit_code(int status, int code)
    {
        var exit = ExitStatus.FromWaitStatus(status);

        Assert.Equal(new ExitStatus(code, null, false), exit);
        Assert.Equal($"exited with code {code}", exit.ToString());
    }

    [Theory]
    [InlineData(0x09, "killed by SIGKILL")]
    [InlineData(0x0b, "killed by SIGSEGV")]
    [InlineData(0x8b, "killed by SIGSEGV (core dumped)")]
    [InlineData(0x86, "killed by SIGABRT (core dumped)")]
    [InlineData(0x0f, "killed by SIGTERM")]
    [InlineData(0x22, "killed by signal 34")] // SIGRTMIN has no fixed name: glibc reserves the first real-time signals
    public void A_process_killed_by_a_signal_names_it(int status, string described)
    {
        Assert.Equal(described, ExitStatus.FromWaitStatus(status).ToString());
    }

    [Fact]
    public void A_killed_process_has_no_exit_code()
    {
        var exit = ExitStatus.FromWaitStatus(0x8b);

        Assert.Equal((null, 11, true), (exit.Code, exit.Signal, exit.CoreDumped));
    }

    [Fact]
    public void The_status_of_a_process_that_is_not_nbdmuxs_child_is_unknown()
    {
        Assert.Equal("exit status unknown (not nbdmux's child)", ExitStatus.Unknown.ToString());
    }
}
