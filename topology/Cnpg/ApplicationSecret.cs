using System.Security.Cryptography;
using CrossClusterIac.Topology.Manifests;

namespace CrossClusterIac.Topology.Cnpg;

/// <summary>
/// The <c>&lt;cluster&gt;-app</c> Secret CNPG v1.30's operator creates for a Cluster bootstrapped with <c>initdb</c>
/// (<c>internal/controller/cluster_create.go</c> reconcileAppUserSecret, <c>pkg/specs/secrets.go</c> CreateSecret):
/// a generated 64-character password for the database owner, which the instance manager sets on the role of a
/// primary (<c>instance_controller.go</c> refreshCredentialsFromSecret). It is why certificates alone are not the
/// only way in unless pg_hba refuses passwords.
/// </summary>
public static class ApplicationSecret
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A password as CNPG generates one: 64 characters, letters and digits (password.Generate(64, 10, 0, …)).</summary>
    public static string GeneratePassword() => RandomNumberGenerator.GetString(Alphabet, 64);

    /// <summary>The Secret's name for <paramref name="cluster"/> (ApplicationUserSecretSuffix <c>-app</c>).</summary>
    public static string Name(string cluster) => $"{cluster}-app";

    /// <summary>The Secret for <paramref name="cluster"/>'s owner with <paramref name="password"/>; <c>null</c> when CNPG creates none.</summary>
    public static Manifest? For(IReadOnlyDictionary<string, object?> cluster, string password)
    {
        var initdb = ManifestFields.Map(cluster, "spec", "bootstrap", "initdb");
        var recovery = ManifestFields.Map(cluster, "spec", "bootstrap", "recovery");
        var bootstrap = initdb.Count > 0 ? initdb : recovery;
        if (ManifestFields.Map(bootstrap, "secret").Count > 0)
        {
            return null;
        }

        var metadata = ManifestFields.Map(cluster, "metadata");
        var name = (string)metadata["name"]!;
        var ns = (string)metadata["namespace"]!;
        var database = ManifestFields.String(bootstrap, "database") ?? "app";
        var owner = ManifestFields.String(bootstrap, "owner") ?? database;
        var host = $"{name}-rw";
        var namespaced = $"{host}.{ns}:5432";
        var qualified = $"{host}.{ns}.svc.cluster.local:5432";
        var user = Uri.EscapeDataString(owner);
        var secret = Uri.EscapeDataString(password);
        var data = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["username"] = owner,
            ["user"] = owner,
            ["password"] = password,
            ["dbname"] = database,
            ["host"] = host,
            ["port"] = "5432",
            ["pgpass"] = $"{host}:5432:{database}:{owner}:{password}\n",
            ["uri"] = $"postgresql://{user}:{secret}@{namespaced}/{database}",
            ["jdbc-uri"] = $"jdbc:postgresql://{namespaced}/{database}?password={secret}&user={user}",
            ["fqdn-uri"] = $"postgresql://{user}:{secret}@{qualified}/{database}",
            ["fqdn-jdbc-uri"] = $"jdbc:postgresql://{qualified}/{database}?password={secret}&user={user}",
        };
        return new Manifest("v1", "Secret", Name(name), ns,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["cnpg.io/userType"] = "app", ["cnpg.io/reload"] = "true", ["app.kubernetes.io/managed-by"] = "cloudnative-pg" },
            new Dictionary<string, string>(),
            new Dictionary<string, object?> { ["type"] = "kubernetes.io/basic-auth", ["stringData"] = data });
    }
}
