using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.Infrastructure.Persistence;

/// <summary>
/// A change writes the registry and the NBD server's files in the data dir. When its disk runs
/// out halfway, undoing the half that was made needs space too; so a change starts only while
/// there is room for all of it, and a full disk refuses it before anything is touched.
/// </summary>
public sealed class DataDirSpace(NbdmuxOptions options)
{
    /// <summary>Far more than one change writes (a registry row, its journal, a record or a link and an authfile).</summary>
    public const long Reserve = 4L * 1024 * 1024;

    /// <exception cref="ChangeNotSavedException">Less than <see cref="Reserve"/> is free on the data dir's filesystem.</exception>
    public void EnsureRoomForAChange()
    {
        var free = new DriveInfo(options.DataDirFullPath).AvailableFreeSpace;
        if (free < Reserve)
        {
            throw new ChangeNotSavedException(
                $"the disk of nbdmux's data dir ({options.DataDirFullPath}) is full ({free / 1024} KiB free): free space there and try again; nothing was changed.",
                noSpace: true);
        }
    }
}
