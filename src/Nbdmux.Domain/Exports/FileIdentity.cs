namespace Nbdmux.Domain.Exports;

/// <summary>
/// Which file a path named when it was checked: its device (st_dev as one number) and inode. A
/// file put in its place later, or reached through a re-pointed link, has another identity.
/// </summary>
public readonly record struct FileIdentity(ulong Device, ulong Inode)
{
    public override string ToString() => $"device {Device}, inode {Inode}";
}
