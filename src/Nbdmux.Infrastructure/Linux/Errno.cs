using System.Runtime.InteropServices;

namespace Nbdmux.Infrastructure.Linux;

/// <summary>The errno values nbdmux tells apart (the same on every Linux architecture .NET runs on).</summary>
public static class Errno
{
    public const int NoPermission = 1; // EPERM
    public const int NoEntry = 2; // ENOENT
    public const int TryAgain = 11; // EAGAIN
    public const int AccessDenied = 13; // EACCES
    public const int CrossDevice = 18; // EXDEV
    public const int NotDirectory = 20; // ENOTDIR
    public const int NameTooLong = 36; // ENAMETOOLONG
    public const int NoSyscall = 38; // ENOSYS
    public const int TooManySymlinks = 40; // ELOOP

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}

/// <summary>A system call on a file failed; <see cref="Errno"/> says how.</summary>
public sealed class FileSystemCallException(string call, int errno)
    : IOException($"{call} failed: {Linux.Errno.Describe(errno)}")
{
    public int Errno { get; } = errno;
}
