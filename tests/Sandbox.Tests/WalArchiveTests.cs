using System.Diagnostics;
using System.Security.Cryptography;
using Npgsql;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>The WAL archive of a streaming sandbox: each region's ObjectStore is a directory in barman-cloud's layout.</summary>
[Collection(SharedSandbox.Name)]
public sealed class WalArchiveTests(SandboxFixture fixture) : IDisposable
{
    private readonly Connections _connections = new(fixture.Sandbox);

    [Fact]
    public async Task PrimaryArchivesASwitchedSegmentIntoItsStoreAndTheReplicasRestoreCommandFetchesIt()
    {
        var (segment, archived) = await SwitchAndArchiveAsync();
        await using var replica = await _connections.OpenAsAdministratorAsync("us");
        var restore = (string)(await new NpgsqlCommand("SHOW restore_command", replica).ExecuteScalarAsync())!;
        var scratch = Directory.CreateTempSubdirectory("crosscluster-restore-");
        try
        {
            var restored = Path.Combine(scratch.FullName, "RECOVERYXLOG");
            Assert.Equal(0, await WalCommand.RunAsync(restore, segment, restored));
            Assert.Equal(await File.ReadAllBytesAsync(archived), await File.ReadAllBytesAsync(restored));

            // PostgreSQL asks for files the archive does not hold and must be told so (then it reads pg_wal and streams).
            var absent = Path.Combine(scratch.FullName, "ABSENT");
            Assert.NotEqual(0, await WalCommand.RunAsync(restore, "0000007F0000000000000001", absent));
            Assert.False(File.Exists(absent));
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ArchiveCommandRefusesToOverwriteAnArchivedSegmentWithDifferentContent()
    {
        var (segment, archived) = await SwitchAndArchiveAsync();
        await using var primary = await _connections.OpenAsAdministratorAsync("eu");
        var archive = (string)(await new NpgsqlCommand("SHOW archive_command", primary).ExecuteScalarAsync())!;
        var before = SHA256.HashData(await File.ReadAllBytesAsync(archived));
        var scratch = Directory.CreateTempSubdirectory("crosscluster-archive-");
        try
        {
            var different = Path.Combine(scratch.FullName, segment);
            await File.WriteAllBytesAsync(different, new byte[16 * 1024 * 1024]);
            Assert.NotEqual(0, await WalCommand.RunAsync(archive, segment, different));
            Assert.Equal(before, SHA256.HashData(await File.ReadAllBytesAsync(archived)));

            // The same segment again, as after a crash before PostgreSQL recorded its success, is accepted.
            File.Copy(archived, different, overwrite: true);
            Assert.Equal(0, await WalCommand.RunAsync(archive, segment, different));
            Assert.Equal(before, SHA256.HashData(await File.ReadAllBytesAsync(archived)));
            Assert.Equal([archived], Directory.GetFiles(Path.GetDirectoryName(archived)!, $"{segment}*"));
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    public void Dispose() => _connections.Dispose();

    // Completes the primary's current segment and waits until PostgreSQL reports it archived; returns its name and its
    // path in the primary's store: barman's <serverName>/wals/<timeline and log>/<segment>.
    private async Task<(string Segment, string Path)> SwitchAndArchiveAsync()
    {
        await using var primary = await _connections.OpenAsAdministratorAsync("eu");
        await new NpgsqlCommand($"CREATE TABLE archive_probe_{Guid.NewGuid():N} AS SELECT 1 AS n", primary).ExecuteNonQueryAsync();
        var segment = (string)(await new NpgsqlCommand("SELECT pg_walfile_name(pg_switch_wal())", primary).ExecuteScalarAsync())!;
        var path = Path.Combine(fixture.Sandbox.Directory, "object-store", "minio-eu", "pg-eu", "wals", segment[..16], segment);
        var limit = Stopwatch.StartNew();
        await using var archived = new NpgsqlCommand("SELECT coalesce(last_archived_wal >= $1, false) FROM pg_stat_archiver", primary) { Parameters = { new() { Value = segment } } };
        while (!(bool)(await archived.ExecuteScalarAsync())!)
        {
            Assert.True(limit.Elapsed < TimeSpan.FromSeconds(20), $"the primary did not archive {segment} within 20 s");
            await Task.Delay(50);
        }

        Assert.True(File.Exists(path), $"{segment} is reported archived but is not at {path}");
        return (segment, path);
    }
}
