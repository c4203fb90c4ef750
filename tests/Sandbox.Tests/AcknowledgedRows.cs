using CrossClusterIac.Sandbox;
using Npgsql;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>What a drill asserts of a <see cref="ContinuousWriter"/>'s rows: none lost anywhere.</summary>
internal static class AcknowledgedRows
{
    /// <summary>Waits, up to 15 s per region, until every acknowledged row is on every region's instance.</summary>
    public static async Task AssertEverywhereAsync(Connections connections, IReadOnlyList<ContinuousWriter.Acknowledged> rows)
    {
        Assert.NotEmpty(rows);
        var ids = rows.Select(r => r.Id).ToHashSet();
        foreach (var region in connections.Regions)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (true)
            {
                await using var connection = await connections.OpenAsAdministratorAsync(region, "app");
                await using var command = new NpgsqlCommand($"SELECT id FROM {ContinuousWriter.Table}", connection);
                var present = new HashSet<long>();
                await using (var reader = await command.ExecuteReaderAsync())
                {
                    while (await reader.ReadAsync())
                    {
                        present.Add(reader.GetInt64(0));
                    }
                }

                var missing = ids.Where(id => !present.Contains(id)).ToList();
                if (missing.Count == 0)
                {
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, $"{missing.Count} acknowledged rows are not on {region}, e.g. {string.Join(", ", missing.Take(5))}");
                await Task.Delay(50);
            }
        }
    }
}
