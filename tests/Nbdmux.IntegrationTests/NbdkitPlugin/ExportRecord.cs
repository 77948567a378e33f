using System.Globalization;
namespace Nbdmux.IntegrationTests.NbdkitPlugin;

/// <summary>Device and inode of a file as stat(2) reports them, the identity a record pins.</summary>
public sealed record FileIdentity(ulong Device, ulong Inode)
{
    public static async Task<FileIdentity> OfAsync(string path)
    {
        var (exitCode, output) = await ExternalTool.RunAsync("stat", "--format=%d %i", path);
        Assert.True(exitCode == 0, output);
        var fields = output.Trim().Split(' ');
        return new FileIdentity(ulong.Parse(fields[0], CultureInfo.InvariantCulture), ulong.Parse(fields[1], CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// The text of exports/NAME as nbdmux publishes it (docs/nbdkit-plugin.md): the image at Path below
/// Root, both pinned by the identity they had when the record was made.
/// </summary>
public sealed record ExportRecord(string Root, FileIdentity RootIdentity, string Path, FileIdentity Identity, string Mode, IReadOnlyList<string> Allow)
{
    public static async Task<ExportRecord> OfAsync(string root, string path, string mode = "ro", params string[] allow) =>
        new(root, await FileIdentity.OfAsync(root), path, await FileIdentity.OfAsync(System.IO.Path.Combine(root, path)), mode,
            allow.Length == 0 ? ["everyone"] : allow);

    public override string ToString() =>
        $"version=1\nroot={Root}\nroot_dev={RootIdentity.Device}\nroot_ino={RootIdentity.Inode}\npath={Path}\n" +
        $"dev={Identity.Device}\nino={Identity.Inode}\nmode={Mode}\n" +
        string.Concat(Allow.Select(allow => $"allow={allow}\n"));
}
