using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.UnitTests.Infrastructure;

public class NbdServerConfigTests
{
    private static NbdServerConfig Config(string dataDir = "/var/lib/nbdmux") =>
        new(new NbdServerLayout(new NbdmuxOptions { DataDir = dataDir }), 10809, "0.0.0.0");

    private static string Render(NbdServerConfig config, IEnumerable<ServedExport> exports)
    {
        using var text = new StringWriter();
        config.Render(exports, text);
        return text.ToString();
    }

    [Fact]
    public void Each_export_reads_its_image_through_its_own_symlink_and_authfile()
    {
        var text = Render(Config(), [new ServedExport("node1", "/images/a.img", new FileIdentity(1, 2), new ExportAccess(readOnly: false))]);

        Assert.Contains(
            "[node1]\nexportname = /var/lib/nbdmux/nbd-server/exports/node1\n" +
            "authfile = /var/lib/nbdmux/nbd-server/auth/node1\nreadonly = false\n",
            text);
        Assert.DoesNotContain("/images/a.img", text);
    }

    [Fact]
    public void A_copy_on_write_export_keeps_client_overlays_under_the_data_dir()
    {
        var text = Render(Config(), [new ServedExport("lab", "/images/a.img", new FileIdentity(1, 2), new ExportAccess(readOnly: false, copyOnWrite: true))]);

        Assert.Contains("readonly = false\ncopyonwrite = true\ncowdir = /var/lib/nbdmux/nbd-server/cow\n", text);
    }

    [Fact]
    public void A_placeholder_export_keeps_nbd_server_startable_with_no_exports()
    {
        var text = Render(Config(), []);

        Assert.Contains("[generic]\nport = 10809\nlistenaddr = 0.0.0.0\n", text);
        Assert.Contains($"[{NbdServerConfig.PlaceholderSection}]\n", text);
    }

    [Fact]
    public void Backslashes_in_the_data_dir_survive_glibs_escape_decoding()
    {
        var text = Render(Config(@"/srv/odd\name"), []);

        Assert.Contains(@"exportname = /srv/odd\\name/nbd-server/placeholder.img", text);
    }
}
