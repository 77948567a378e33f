using Nbdmux.Cli;
using Nbdmux.Client;

namespace Nbdmux.Client.Tests;

public sealed class ExportTableTests
{
    [Fact]
    public void A_warm_without_an_image_yet_shows_no_size()
    {
        var output = new StringWriter();

        ExportTable.Write(output, [
            new NbdmuxExport("fetching", "/images/fetching.img", true, "fetching", 0, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch),
            new NbdmuxExport("ready", "/images/ready.img", true, "ready", 3 << 20, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch),
        ]);

        var lines = output.ToString().TrimEnd().Split('\n');
        Assert.Matches(@"^fetching +/images/fetching\.img +- +ro +0 +fetching$", lines[1]);
        Assert.Matches(@"^ready +/images/ready\.img +3 MiB +ro +0 +ready$", lines[2]);
    }
}
