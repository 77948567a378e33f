using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Nbdmux.Infrastructure.Configuration;

/// <summary>
/// Where the registry lives (--database): a SQLite file for one node (the default,
/// <c>&lt;data-dir&gt;/nbdmux.db</c>), or a PostgreSQL database that several nodes share.
/// </summary>
public sealed record RegistryDatabase(RegistryProvider Provider, string ConnectionString, string Display)
{
    /// <summary>The assembly that holds the PostgreSQL migrations; the SQLite ones are in this one (EF Core keeps one set per provider).</summary>
    public const string PostgreSqlMigrationsAssembly = "Nbdmux.Infrastructure.PostgreSql";

    private const string SqlitePrefix = "sqlite:";

    public const string Forms = "sqlite:PATH or postgresql://user:password@host:port/dbname";

    public bool IsShared => Provider == RegistryProvider.PostgreSql;

    /// <summary>The database <paramref name="url"/> names; null means the SQLite file in <paramref name="dataDirFullPath"/>.</summary>
    /// <exception cref="FormatException"><paramref name="url"/> is neither form; the message says why.</exception>
    public static RegistryDatabase Parse(string? url, string dataDirFullPath)
    {
        if (string.IsNullOrEmpty(url))
        {
            return Sqlite(Path.Combine(dataDirFullPath, "nbdmux.db"));
        }

        if (url.Any(char.IsControl))
        {
            throw new FormatException("it contains control characters");
        }

        if (url.StartsWith(SqlitePrefix, StringComparison.Ordinal))
        {
            return url.Length > SqlitePrefix.Length ? Sqlite(Path.GetFullPath(url[SqlitePrefix.Length..])) : throw new FormatException("sqlite: needs a file path");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgresql" or "postgres"))
        {
            throw new FormatException($"it must be {Forms}");
        }

        return PostgreSql(uri);
    }

    /// <summary>Configures EF Core for this database.</summary>
    public void Configure(DbContextOptionsBuilder options)
    {
        if (Provider == RegistryProvider.Sqlite)
        {
            options.UseSqlite(ConnectionString);
        }
        else
        {
            options.UseNpgsql(ConnectionString, npgsql => npgsql.MigrationsAssembly(PostgreSqlMigrationsAssembly));
        }
    }

    private static RegistryDatabase Sqlite(string path) => new(RegistryProvider.Sqlite, $"Data Source={path}", $"sqlite:{path}");

    private static RegistryDatabase PostgreSql(Uri uri)
    {
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (uri.Host.Length == 0 || database.Length == 0 || database.Contains('/'))
        {
            throw new FormatException($"it must be {Forms} (a host and one database name)");
        }

        var credentials = uri.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port < 0 ? NpgsqlConnection.DefaultPort : uri.Port,
            Database = database,
            Username = credentials[0].Length > 0 ? Uri.UnescapeDataString(credentials[0]) : null,
            Password = credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : null,
            // Names nbdmux in pg_stat_activity, where an operator looks for who holds connections.
            ApplicationName = "nbdmux",
        };
        foreach (var parameter in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = parameter.Split('=', 2) is [var k, var v] ? (k, v) : (parameter, "");
            try
            {
                builder[Uri.UnescapeDataString(key)] = Uri.UnescapeDataString(value);
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                throw new FormatException($"its parameter '{Uri.UnescapeDataString(key)}' is not one Npgsql knows or has a bad value ({e.Message})", e);
            }
        }

        var display = $"postgresql://{(builder.Username is { } user ? user + "@" : "")}{uri.Authority}/{database}";
        return new RegistryDatabase(RegistryProvider.PostgreSql, builder.ConnectionString, display);
    }
}

public enum RegistryProvider
{
    Sqlite,
    PostgreSql,
}
