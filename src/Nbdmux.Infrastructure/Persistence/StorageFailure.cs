using Microsoft.Data.Sqlite;
using Nbdmux.Application.Common.Exceptions;
using Npgsql;

namespace Nbdmux.Infrastructure.Persistence;

/// <summary>Tells a registry write that failed for want of disk space, another I/O error or a registry out of reach from a bug.</summary>
public static class StorageFailure
{
    private const int SqliteFull = 13;
    private const int SqliteIoError = 10;
    private const int NoSpaceErrno = 28;
    private const int QuotaErrno = 122;

    /// <summary>What to answer for <paramref name="error"/>, or null when it is no storage failure.</summary>
    public static ChangeNotSavedException? Describe(Exception error)
    {
        var causes = Causes(error).ToList();
        if (causes.Any(IsNoSpace))
        {
            return new ChangeNotSavedException(
                "nbdmux could not save the change: the disk of its data dir is full. Free space there and try again; nothing was changed.",
                noSpace: true, error);
        }

        if (causes.OfType<NpgsqlException>().Any(e => e.IsTransient))
        {
            return new ChangeNotSavedException(
                $"nbdmux could not reach its registry ({error.GetBaseException().Message}); nothing was changed. The NBD server goes on serving what it served; try again once the database is back.",
                noSpace: false, error);
        }

        return causes.OfType<SqliteException>().Any(e => e.SqliteErrorCode == SqliteIoError) || causes.OfType<IOException>().Any()
            ? new ChangeNotSavedException($"nbdmux could not save the change ({error.GetBaseException().Message}); nothing was changed.", noSpace: false, error)
            : null;
    }

    public static bool IsNoSpace(Exception error) => error switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == SqliteFull,
        IOException io => io.HResult is NoSpaceErrno or QuotaErrno || io.Message.Contains("No space left", StringComparison.Ordinal),
        _ => false,
    };

    public static IEnumerable<Exception> Causes(Exception error)
    {
        for (Exception? cause = error; cause is not null; cause = cause.InnerException)
        {
            yield return cause;
        }
    }
}
