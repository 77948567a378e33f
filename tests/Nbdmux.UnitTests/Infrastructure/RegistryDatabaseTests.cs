using Nbdmux.Infrastructure.Configuration;
using Npgsql;

namespace Nbdmux.UnitTests.Infrastructure;

public sealed class RegistryDatabaseTests
{
    [Fact]
    public void Unset_is_the_sqlite_file_in_the_data_dir()
    {
        var database = RegistryDatabase.Parse(null, "/var/lib/nbdmux");

        Assert.Equal(RegistryProvider.Sqlite, database.Provider);
        Assert.Equal("Data Source=/var/lib/nbdmux/nbdmux.db", database.ConnectionString);
        Assert.False(database.IsShared);
    }

    [Fact]
    public void A_sqlite_url_names_the_file()
    {
        Assert.Equal("Data Source=/srv/registry.db", RegistryDatabase.Parse("sqlite:/srv/registry.db", "/data").ConnectionString);
    }

    [Fact]
    public void A_postgresql_url_gives_host_port_database_and_credentials_with_the_password_never_displayed()
    {
        var database = RegistryDatabase.Parse("postgresql://lab%40nbdmux:s3cr%3At@db.lab:5433/registry?sslmode=require", "/data");
        var connection = new NpgsqlConnectionStringBuilder(database.ConnectionString);

        Assert.True(database.IsShared);
        Assert.Equal(("db.lab", 5433, "registry", "lab@nbdmux", "s3cr:t", SslMode.Require), (connection.Host, connection.Port, connection.Database, connection.Username, connection.Password, connection.SslMode));
        Assert.Equal("postgresql://lab@nbdmux@db.lab:5433/registry", database.Display);
        Assert.Equal(5432, new NpgsqlConnectionStringBuilder(RegistryDatabase.Parse("postgres://db/registry", "/data").ConnectionString).Port);
    }

    [Theory]
    [InlineData("mysql://db/registry")]
    [InlineData("postgresql://db")]
    [InlineData("postgresql://db/a/b")]
    [InlineData("postgresql://db/registry?no_such_setting=1")]
    [InlineData("sqlite:")]
    [InlineData("registry.db")]
    public void Anything_else_is_refused_saying_the_forms(string url)
    {
        var problem = new NbdmuxOptions { Database = url }.Validate(new(new object())).Single();

        Assert.StartsWith("--database: ", problem.ErrorMessage);
    }
}
