using System.Diagnostics;
using Npgsql;

namespace Nbdmux.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster (Debian's package) in a temp dir on a free loopback port, one per
/// test process, started at first use and stopped when the process exits. Each test asks for a
/// database of its own, so tests never see each other's rows and the cluster starts only once.
/// </summary>
public sealed class PostgreSqlServer
{
    private const string User = "nbdmux";

    private static readonly Lazy<PostgreSqlServer> Started = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _bin;
    private readonly string _directory;

    private PostgreSqlServer(string bin, string directory, int port)
    {
        _bin = bin;
        _directory = directory;
        Port = port;
    }

    /// <summary>The cluster of this test process; starting it throws, saying what to install, where PostgreSQL is missing.</summary>
    public static PostgreSqlServer Shared => Started.Value;

    public int Port { get; }

    private string DataDir => Path.Combine(_directory, "data");

    /// <summary>A new, empty database; its URL in the form --database takes.</summary>
    public string CreateDatabase()
    {
        var name = $"t{Guid.NewGuid():N}";
        using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username={User};Database=postgres;Pooling=false");
        connection.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        create.ExecuteNonQuery();
        return $"postgresql://{User}@127.0.0.1:{Port}/{name}";
    }

    /// <summary>Stops the server at once, as a crash or an outage would (connections drop, nothing is flushed first).</summary>
    public void Stop() => PgCtl("stop", "-m", "immediate");

    /// <summary>Starts it again on the same port and data.</summary>
    public void Restart() => PgCtl("start");

    private static PostgreSqlServer Start()
    {
        var bin = FindBinaries();
        var directory = Directory.CreateTempSubdirectory("nbdmux-postgresql-").FullName;
        var server = new PostgreSqlServer(bin, directory, LoopbackPorts.Free());
        if (RunsAsRoot)
        {
            // initdb and postgres refuse to run as root: the cluster belongs to Debian's postgres user.
            Run("chown", "postgres:", directory);
        }

        AsOwner(Path.Combine(bin, "initdb"), "-D", server.DataDir, "-U", User, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
        server.PgCtl("start");
        // A watcher outside this process's tree stops the cluster and deletes it once this process is
        // gone, however it ends: a test host may be ended before its exit handlers run, or killed.
        var stop = AsOwnerCommand(Path.Combine(bin, "pg_ctl"), server.PgCtlArguments("stop", "-m", "immediate"));
        const string Watch = "pid=$1; dir=$2; shift 2; while kill -0 \"$pid\" 2>/dev/null; do sleep 1; done; \"$@\" >/dev/null 2>&1; rm -rf \"$dir\"";
        Run("sh", ["-c", "setsid sh -c \"$0\" watcher \"$@\" </dev/null >/dev/null 2>&1 &", Watch, $"{Environment.ProcessId}", directory, .. stop]);
        return server;
    }

    private void PgCtl(string action, params string[] extra) => AsOwner(Path.Combine(_bin, "pg_ctl"), PgCtlArguments(action, extra));

    private string[] PgCtlArguments(string action, params string[] extra)
    {
        // No fsync: the tests never lose the machine, only the server. Commits still wait for the
        // WAL write, so a committed change survives the immediate stop of an outage test.
        // Connections: every API test's app keeps a pool of its own.
        var options = $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=500";
        return [action, "-D", DataDir, "-w", "-l", Path.Combine(_directory, "server.log"), "-o", options, .. extra];
    }

    private static void AsOwner(string program, params string[] args)
    {
        var command = AsOwnerCommand(program, args);
        Run(command[0], command[1..]);
    }

    private static string[] AsOwnerCommand(string program, params string[] args) =>
        RunsAsRoot ? ["runuser", "-u", "postgres", "--", program, .. args] : [program, .. args];

    private static bool RunsAsRoot => Environment.UserName == "root";

    private static string FindBinaries()
    {
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(version => Path.Combine(version, "bin")).Where(bin => File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var version) ? version : 0).FirstOrDefault()
            : null;
        return installed ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): the tests of the shared registry need it; scripts/install-deps.sh test installs it (apt-get install postgresql).");
    }

    private static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {output.Result}{error}");
        }
    }
}
