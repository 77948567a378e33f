using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Linux;

namespace Nbdmux.Infrastructure.Files;

/// <summary>
/// Decides whether a file may be exported, and finds a registered file again. The caller's path
/// is resolved once, at registration, to find the image root it lies in; from then on the file is
/// only ever opened beneath that root without following symlinks, and must be the very file
/// (device and inode) that was registered. A file replaced, renamed, or reached through a
/// directory swapped for a symlink afterwards is refused, never served.
/// </summary>
public sealed class ImageFiles(ImageRoots roots) : IImageFiles
{
    public ImageInspection Inspect(string path)
    {
        try
        {
            using var image = Verify(path);
            return ImageInspection.Servable(image.ToImageFile());
        }
        catch (ImageUnservableException e)
        {
            return ImageInspection.Refused(e.Message);
        }
        catch (IOException e)
        {
            return ImageInspection.Refused($"file '{path}' cannot be read by nbdmux: {e.Message}");
        }
    }

    /// <summary>
    /// Registration: realpath once (a convenience symlink inside a root still works), then the
    /// canonical path opened beneath its root and everything checked on the descriptor.
    /// </summary>
    /// <exception cref="ImageUnservableException">Why the file cannot be exported, in words that say what to fix.</exception>
    public VerifiedImage Verify(string path)
    {
        if (RealPath.Of(path) is not { } canonical)
        {
            throw new ImageUnservableException($"file '{path}' does not exist on the nbdmux host.");
        }

        var root = roots.Containing(canonical) ?? throw OutsideTheRoots(path, canonical);

        var file = OpenBeneath(root, canonical, errno => ChangedWhileChecked(path, errno));
        return CheckContent(file, root, canonical, path);
    }

    /// <summary>
    /// Opens an image nbdmux wrote into an image root, to read it: found beneath its root and
    /// checked as at registration, so whatever was put at <paramref name="path"/> meanwhile,
    /// nothing outside the image roots is read.
    /// </summary>
    /// <exception cref="ImageUnservableException">The path no longer names a servable image inside the roots.</exception>
    public FileStream OpenForReading(string path)
    {
        using var image = Verify(path);
        return new FileStream(BeneathOpener.Reopen(image.Handle, OpenFlags.ReadOnly), FileAccess.Read, bufferSize: 0);
    }

    /// <summary>The registered file, found again beneath its root and checked as at registration.</summary>
    /// <exception cref="ImageUnservableException">The path no longer names the registered file, or it cannot be served (or read) now.</exception>
    public VerifiedImage OpenRegistered(ServedExport export)
    {
        try
        {
            var (file, root) = FindRegistered(export);
            return CheckContent(file, root, export.FilePath, export.FilePath);
        }
        catch (IOException e)
        {
            throw new ImageUnservableException($"file '{export.FilePath}' cannot be opened by nbdmux: {e.Message}");
        }
    }

    public string? ProblemServing(ServedExport export)
    {
        try
        {
            OpenRegistered(export).Dispose();
            return null;
        }
        catch (ImageUnservableException e)
        {
            return e.Message;
        }
    }

    public string? ChangeSinceRegistration(ServedExport export)
    {
        try
        {
            FindRegistered(export).File.Dispose();
            return null;
        }
        catch (ImageUnservableException e)
        {
            return e.Message;
        }
    }

    private (OpenedFile File, string Root) FindRegistered(ServedExport export)
    {
        var path = export.FilePath;
        if (export.FileIdentity is not { } registered)
        {
            throw new ImageUnservableException(
                $"file '{path}' was registered by an earlier nbdmux and could not be checked again at start-up (the log says why); register it again.");
        }

        var root = roots.Containing(path) ?? throw OutsideTheRoots(path, path);

        var file = OpenBeneath(root, path, errno => ChangedSinceRegistered(path, errno));
        if (file.Stat.Identity != registered)
        {
            file.Dispose();
            throw new ImageUnservableException(
                $"file '{path}' is no longer the registered file ({registered}): it was replaced (now {file.Stat.Identity}); register it again to serve the new file.");
        }

        return (file, root);
    }

    private ImageUnservableException OutsideTheRoots(string path, string canonical)
    {
        var resolved = canonical == path ? "" : $" (it resolves to '{canonical}')";
        return new ImageUnservableException(
            $"file '{path}'{resolved} is outside the image roots ({string.Join(", ", roots.Canonical)}); move the image there or add its directory with --images-dir.");
    }

    private static OpenedFile OpenBeneath(string root, string canonicalPath, Func<int, string?> reason)
    {
        OpenedFile rootDirectory;
        try
        {
            rootDirectory = BeneathOpener.OpenCanonical(root);
        }
        catch (FileSystemCallException e) when (IsPathProblem(e.Errno))
        {
            throw new ImageUnservableException(
                $"image root '{root}' cannot be opened as a plain directory ({Errno.Describe(e.Errno)}); nothing in it is served until it is one again.");
        }

        using (rootDirectory)
        {
            try
            {
                return BeneathOpener.Open(rootDirectory.Handle, ImageRoots.RelativeTo(root, canonicalPath));
            }
            catch (FileSystemCallException e) when (reason(e.Errno) is { } why)
            {
                throw new ImageUnservableException(why);
            }
        }
    }

    private static VerifiedImage CheckContent(OpenedFile file, string root, string canonicalPath, string path)
    {
        try
        {
            switch (file.Stat.Type)
            {
                case FileType.Directory:
                    throw new ImageUnservableException($"file '{path}' is a directory; give the path of a raw disk image file.");
                case not FileType.Regular:
                    throw new ImageUnservableException($"file '{path}' is not a regular file (a device, FIFO or socket cannot be exported).");
            }

            if (file.Stat.Size == 0)
            {
                throw new ImageUnservableException($"file '{path}' is empty (0 bytes): there is nothing to boot from; write the image first, then register it.");
            }

            return new VerifiedImage(file, root, ImageRoots.RelativeTo(root, canonicalPath), ReadPartitionTable(file, path));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static bool IsPathProblem(int errno) => errno is Errno.NoEntry or Errno.TooManySymlinks or Errno.CrossDevice
        or Errno.NotDirectory or Errno.AccessDenied or Errno.NoPermission or Errno.NameTooLong;

    /// <summary>The partition table of a raw image; anything else is refused with the command that makes it raw.</summary>
    private static PartitionTable ReadPartitionTable(OpenedFile file, string path)
    {
        try
        {
            using var image = new FileStream(BeneathOpener.Reopen(file.Handle, OpenFlags.ReadOnly), FileAccess.Read, bufferSize: 1);
            return ImageFormat.RefusalFor(image, path) is { } refusal
                ? throw new ImageUnservableException(refusal)
                : ImageFormat.PartitionTableOf(image);
        }
        catch (IOException e)
        {
            throw new ImageUnservableException($"file '{path}' cannot be read by nbdmux: {e.Message}");
        }
    }

    /// <summary>At registration the path was resolved a moment before: a failure now means it changed meanwhile (or is unreadable).</summary>
    private static string? ChangedWhileChecked(string path, int errno) => errno switch
    {
        Errno.NoEntry => $"file '{path}' does not exist on the nbdmux host.",
        Errno.TooManySymlinks => $"file '{path}' changed while nbdmux checked it (a symlink appeared on its path); try again.",
        Errno.CrossDevice => $"file '{path}' changed while nbdmux checked it (its path left the image root); try again.",
        Errno.NotDirectory => $"file '{path}' changed while nbdmux checked it (a directory on its path was replaced); try again.",
        Errno.AccessDenied or Errno.NoPermission or Errno.NameTooLong => $"file '{path}' cannot be read by nbdmux: {Errno.Describe(errno)}.",
        _ => null,
    };

    private static string? ChangedSinceRegistered(string path, int errno) => errno switch
    {
        Errno.NoEntry => $"file '{path}' is gone: it was removed or renamed after registration.",
        Errno.TooManySymlinks => $"a symlink is now on the path to '{path}'; nbdmux follows none after registration.",
        Errno.CrossDevice => $"the path to '{path}' now leads outside its image root.",
        Errno.NotDirectory => $"a directory on the path to '{path}' was replaced after registration.",
        Errno.AccessDenied or Errno.NoPermission or Errno.NameTooLong => $"nbdmux may no longer open '{path}': {Errno.Describe(errno)}.",
        _ => null,
    };
}
