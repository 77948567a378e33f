using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Nbdmux.Infrastructure.Linux;

/// <summary>A file opened as an O_PATH handle, with what the kernel says about that very file.</summary>
public sealed record OpenedFile(SafeFileHandle Handle, FileStat Stat) : IDisposable
{
    public void Dispose() => Handle.Dispose();
}

/// <summary>
/// Opens a path beneath a directory handle without following any symlink and without leaving the
/// directory: openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS), or, where the
/// kernel has no openat2 (before Linux 5.6, or a seccomp profile that hides it), one openat(2) per
/// component with O_NOFOLLOW. Either way a symlink anywhere on the path, a `..`, or a component
/// swapped while it is being resolved fails the open instead of leading elsewhere. Handles are
/// O_PATH: checking a FIFO or a device never blocks or touches it.
/// </summary>
public static partial class BeneathOpener
{
    /// <summary>SYS_openat2: one number on every architecture since Linux 5.1 unified new syscalls (x86_64 and arm64 included).</summary>
    private const long OpenAt2Syscall = 437;

    private const ulong ResolveNoMagicLinks = 0x02;
    private const ulong ResolveNoSymlinks = 0x04;
    private const ulong ResolveBeneath = 0x08;

    private const int CurrentDirectory = -100; // AT_FDCWD

    /// <summary>EAGAIN: a concurrent rename made the kernel unsure the walk stayed beneath; asking again is safe.</summary>
    private const int Attempts = 3;

    private static readonly Lazy<SafeFileHandle> FileSystemRoot = new(() => OpenAbsolute("/", OpenFlags.Path | OpenFlags.Directory));

    private static volatile bool _openAt2Missing;

    /// <summary>Opens <paramref name="relativePath"/> ('/'-separated, no empty, '.' or '..' component) beneath <paramref name="directory"/>.</summary>
    /// <exception cref="FileSystemCallException">Errno says why: ELOOP for a symlink on the way, EXDEV for a way out, ENOENT, ENOTDIR, EACCES...</exception>
    public static OpenedFile Open(SafeFileHandle directory, string relativePath) => Open(directory, relativePath, _openAt2Missing);

    /// <param name="componentByComponent">Walk without openat2, as on a kernel that lacks it.</param>
    internal static OpenedFile Open(SafeFileHandle directory, string relativePath, bool componentByComponent)
    {
        if (relativePath.Split('/').Any(component => component is "" or "." or ".."))
        {
            throw new FileSystemCallException($"open of '{relativePath}' (not a plain relative path)", Errno.CrossDevice);
        }

        var handle = (componentByComponent ? null : OpenWithOpenAt2(directory, relativePath)) ?? OpenComponentByComponent(directory, relativePath);
        try
        {
            var stat = FileStat.Of(handle);
            return stat.Type == FileType.SymbolicLink
                ? throw new FileSystemCallException($"open of '{relativePath}'", Errno.TooManySymlinks)
                : new OpenedFile(handle, stat);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>An absolute path with no symlink in it (a canonical image root), checked the same way from '/'.</summary>
    public static OpenedFile OpenCanonical(string absolutePath)
    {
        var relative = absolutePath.Trim('/');
        if (relative.Length > 0)
        {
            return Open(FileSystemRoot.Value, relative);
        }

        var root = OpenAbsolute("/", OpenFlags.Path | OpenFlags.Directory);
        return new OpenedFile(root, FileStat.Of(root));
    }

    /// <summary>Opens the very file an O_PATH handle names for I/O (through its /proc/self/fd link, the only way back from O_PATH).</summary>
    public static SafeFileHandle Reopen(SafeFileHandle file, int flags) =>
        WithDescriptorPath(file, path => OpenAbsolute(path, flags));

    /// <summary>/proc/self/fd/N for the handle's descriptor, valid while <paramref name="use"/> runs.</summary>
    public static T WithDescriptorPath<T>(SafeFileHandle file, Func<string, T> use)
    {
        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            return use($"/proc/self/fd/{file.DangerousGetHandle()}");
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>Null when the kernel has no openat2 (ENOSYS); then it is never asked again.</summary>
    private static SafeFileHandle? OpenWithOpenAt2(SafeFileHandle directory, string relativePath)
    {
        var how = new OpenHow
        {
            Flags = (ulong)(OpenFlags.Path | OpenFlags.CloseOnExec),
            Resolve = ResolveBeneath | ResolveNoSymlinks | ResolveNoMagicLinks,
        };
        for (var attempt = 1; ; attempt++)
        {
            var descriptor = OpenAt2(OpenAt2Syscall, directory, relativePath, ref how, (nuint)Marshal.SizeOf<OpenHow>());
            if (descriptor >= 0)
            {
                return new SafeFileHandle(checked((IntPtr)descriptor), ownsHandle: true);
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.NoSyscall)
            {
                _openAt2Missing = true;
                return null;
            }

            if (errno != Errno.TryAgain || attempt == Attempts)
            {
                throw new FileSystemCallException($"openat2 of '{relativePath}'", errno);
            }
        }
    }

    /// <summary>
    /// Each component is opened O_PATH|O_NOFOLLOW relative to the one before, so a symlink is
    /// opened as itself and refused, never followed; `..` was refused before the walk.
    /// </summary>
    private static SafeFileHandle OpenComponentByComponent(SafeFileHandle directory, string relativePath)
    {
        var components = relativePath.Split('/');
        SafeFileHandle? current = null;
        try
        {
            for (var i = 0; i < components.Length; i++)
            {
                var descriptor = OpenAt(current ?? directory, components[i], OpenFlags.Path | OpenFlags.NoFollow | OpenFlags.CloseOnExec);
                var errno = Marshal.GetLastPInvokeError();
                current?.Dispose();
                current = descriptor >= 0 ? new SafeFileHandle((IntPtr)descriptor, ownsHandle: true) : null;
                if (current is null)
                {
                    throw new FileSystemCallException($"openat of '{components[i]}' in '{relativePath}'", errno);
                }

                if (i < components.Length - 1 && FileStat.Of(current).Type is var type && type != FileType.Directory)
                {
                    throw new FileSystemCallException(
                        $"openat of '{relativePath}'", type == FileType.SymbolicLink ? Errno.TooManySymlinks : Errno.NotDirectory);
                }
            }

            return current!;
        }
        catch
        {
            current?.Dispose();
            throw;
        }
    }

    private static SafeFileHandle OpenAbsolute(string path, int flags)
    {
        var descriptor = OpenAt(CurrentDirectory, path, flags | OpenFlags.CloseOnExec | OpenFlags.NoControllingTerminal);
        return descriptor >= 0
            ? new SafeFileHandle((IntPtr)descriptor, ownsHandle: true)
            : throw new FileSystemCallException($"open of '{path}'", Marshal.GetLastPInvokeError());
    }

    /// <summary>struct open_how.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>syscall(2) is variadic; every argument here is passed in a register as a long would be.</summary>
    [LibraryImport("libc", EntryPoint = "syscall", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial long OpenAt2(long number, SafeFileHandle directory, string path, ref OpenHow how, nuint size);

    [LibraryImport("libc", EntryPoint = "openat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenAt(SafeFileHandle directory, string path, int flags);

    [LibraryImport("libc", EntryPoint = "openat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenAt(int directory, string path, int flags);
}
