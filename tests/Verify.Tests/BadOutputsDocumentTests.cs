using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CrossClusterIac.Sandbox;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Topology.Pki;
using CrossClusterIac.Verify;

namespace CrossClusterIac.Tests.Verify;

/// <summary>
/// Outputs documents that cannot be used, each derived from a valid one by one edit: verify exits 2 with one message
/// naming the file and the key, before any check runs, and never with a stack trace.
/// </summary>
public sealed class BadOutputsDocumentTests : IDisposable
{
    internal static readonly Lazy<string> ValidDocument = new(Build);

    private readonly string _directory = Directory.CreateTempSubdirectory("crosscluster-verify-outputs-").FullName;

    public static TheoryData<string, string> Edits()
    {
        var edits = new TheoryData<string, string>();
        foreach (var (name, mutation) in Mutations)
        {
            edits.Add(name, mutation.Key);
        }

        return edits;
    }

    [Fact]
    public void TheUneditedDocumentIsUsable()
    {
        var outputs = TopologyOutputsJson.Parse(ValidDocument.Value);

        Assert.Equal(["eu", "us"], outputs.Regions.Select(r => r.Name));
    }

    [Fact]
    public void TheTableHoldsAtLeastFortyBadDocuments() => Assert.True(Mutations.Count >= 40, $"{Mutations.Count} documents");

    [Theory]
    [MemberData(nameof(Edits))]
    public async Task ABadDocumentExitsTwoNamingTheFileAndTheKey(string edit, string key)
    {
        var document = JsonNode.Parse(ValidDocument.Value)!;
        Mutations[edit].Apply(document);
        var file = Path.Combine(_directory, "outputs.json");
        await File.WriteAllTextAsync(file, document.ToJsonString());

        // A document that slipped through would start the checks against ports nothing listens on: exit 1, not 2.
        var (exitCode, output, error) = await RunAsync("--outputs", file, "--timeout", "1");

        Assert.True(exitCode == 2, $"exit {exitCode}: {error}");
        Assert.Empty(output);
        Assert.Contains(file, error, StringComparison.Ordinal);
        Assert.Contains(key, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);

        // System.Text.Json's own wording names the .NET type the document was read into, which a user cannot act on.
        Assert.DoesNotContain("CrossClusterIac.", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var input = new StringReader("");
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await VerifyCli.InvokeAsync(args, input, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static readonly Dictionary<string, (string Key, Action<JsonNode> Apply)> Mutations = new(StringComparer.Ordinal)
    {
        ["schemaVersion is a fraction"] = ("'schemaVersion'", d => d["schemaVersion"] = JsonNode.Parse("1.5")),
        ["schemaVersion overflows"] = ("'schemaVersion'", d => d["schemaVersion"] = JsonNode.Parse("1e400")),
        ["schemaVersion is a string"] = ("'schemaVersion'", d => d["schemaVersion"] = "1"),
        ["schemaVersion is null"] = ("'schemaVersion'", d => d["schemaVersion"] = null),
        ["schemaVersion is from the future"] = ("'schemaVersion'", d => d["schemaVersion"] = 2),
        ["schemaVersion is missing"] = ("'schemaVersion'", d => d.AsObject().Remove("schemaVersion")),
        ["environment is empty"] = ("'environment'", d => d["environment"] = ""),
        ["environment is missing"] = ("'environment' is missing", d => d.AsObject().Remove("environment")),
        ["primaryRegion is empty"] = ("'primaryRegion'", d => d["primaryRegion"] = ""),
        ["primaryRegion names no region"] = ("'primaryRegion'", d => d["primaryRegion"] = "ap"),
        ["database is empty"] = ("'database'", d => d["database"] = " "),
        ["database is null"] = ("'database' is null", d => d["database"] = null),
        ["root is not PEM"] = ("'rootCaCertificate'", d => d["rootCaCertificate"] = "not a certificate"),
        ["root is empty"] = ("'rootCaCertificate'", d => d["rootCaCertificate"] = ""),
        ["root has corrupt base64"] = ("'rootCaCertificate'", d => d["rootCaCertificate"] = CorruptBase64(Text(d, "rootCaCertificate"))),
        ["root is a private key"] = ("'rootCaCertificate'", d => d["rootCaCertificate"] = Text(d, "clientKeys", "eu", "app")),
        ["root is the same certificate twice"] = ("'rootCaCertificate'", d => d["rootCaCertificate"] = Text(d, "rootCaCertificate") + Text(d, "rootCaCertificate")),
        ["root is three certificates"] = ("'rootCaCertificate'", d => d["rootCaCertificate"] = Text(d, "rootCaCertificate") + Text(d, "regions", 0, "serverCaCertificate") + Text(d, "regions", 1, "serverCaCertificate")),
        ["a delay of no seconds"] = ("'regions[us].minApplyDelaySeconds'", d => d["regions"]![1]!["minApplyDelaySeconds"] = 0),
        ["a delay on the primary"] = ("'regions[eu].minApplyDelaySeconds'", d => d["regions"]![0]!["minApplyDelaySeconds"] = 60),
        ["renewal window of no days"] = ("'renewBeforeDays'", d => d["renewBeforeDays"] = new JsonObject { ["root"] = 1, ["intermediate"] = 0, ["leaf"] = 1 }),
        ["root is base64 of no certificate"] = ("'rootCaCertificate'", d => d["rootCaCertificate"] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        ["regions is empty"] = ("'regions'", d => d["regions"] = new JsonArray()),
        ["regions is a string"] = ("'regions' is \"eu,us\", not a list", d => d["regions"] = "eu,us"),
        ["a region is null"] = ("'regions[1]'", d => d["regions"]![1] = null),
        ["two regions share a name"] = ("'regions'", d => d["regions"]![1]!["name"] = "eu"),
        ["a region has no name"] = ("'regions[1].name'", d => d["regions"]![1]!["name"] = ""),
        ["a region has an unknown role"] = ("'regions[us].role' is \"leader\", not one of \"primary\", \"replica\"", d => d["regions"]![1]!["role"] = "leader"),
        ["two primaries"] = ("'regions'", d => d["regions"]![1]!["role"] = "primary"),
        ["a cluster name is empty"] = ("'regions[us].cluster'", d => d["regions"]![1]!["cluster"] = ""),
        ["an instance has no serverName"] = ("'regions[us].instance.serverName' is missing", d => d["regions"]![1]!["instance"]!.AsObject().Remove("serverName")),
        ["an instance's serverName is empty"] = ("'regions[us].instance.serverName'", d => d["regions"]![1]!["instance"]!["serverName"] = ""),
        ["a pooler's serverName is null"] = ("'regions[eu].pooler.serverName' is null", d => d["regions"]![0]!["pooler"]!["serverName"] = null),
        ["an instance is null"] = ("'regions[eu].instance' is null", d => d["regions"]![0]!["instance"] = null),
        ["an instance port is zero"] = ("'regions[eu].instance'", d => d["regions"]![0]!["instance"]!["port"] = 0),
        ["an instance port is too high"] = ("'regions[eu].instance'", d => d["regions"]![0]!["instance"]!["port"] = 70000),
        ["an instance port is a word"] = ("'regions[eu].instance.port' is \"postgres\"", d => d["regions"]![0]!["instance"]!["port"] = "postgres"),
        ["a pooler host is empty"] = ("'regions[eu].pooler'", d => d["regions"]![0]!["pooler"]!["host"] = ""),
        ["a server CA is not PEM"] = ("'regions[eu].serverCaCertificate'", d => d["regions"]![0]!["serverCaCertificate"] = "server CA"),
        ["a client CA is a private key"] = ("'regions[us].clientCaCertificate'", d => d["regions"]![1]!["clientCaCertificate"] = Text(d, "clientKeys", "us", "verify")),
        ["a client CA has corrupt base64"] = ("'regions[us].clientCaCertificate'", d => d["regions"]![1]!["clientCaCertificate"] = CorruptBase64(Text(d, "regions", 1, "clientCaCertificate"))),
        ["the app client is missing"] = ("'regions[eu].clients.app'", d => d["regions"]![0]!["clients"]!.AsObject().Remove("app")),
        ["the verify client is missing"] = ("'regions[us].clients.verify'", d => d["regions"]![1]!["clients"]!.AsObject().Remove("verify")),
        ["the expired probe is missing"] = ("'regions[us].clients.expiredProbe'", d => d["regions"]![1]!["clients"]!.AsObject().Remove("expiredProbe")),
        ["a client is null"] = ("'regions[eu].clients.app'", d => d["regions"]![0]!["clients"]!["app"] = null),
        ["a client's user is empty"] = ("'regions[eu].clients.app.user'", d => d["regions"]![0]!["clients"]!["app"]!["user"] = ""),
        ["a client chain is empty"] = ("'regions[eu].clients.app.certificateChain'", d => d["regions"]![0]!["clients"]!["app"]!["certificateChain"] = ""),
        ["a client chain is a private key"] = ("'regions[eu].clients.verify.certificateChain'", d => d["regions"]![0]!["clients"]!["verify"]!["certificateChain"] = Text(d, "clientKeys", "eu", "verify")),
        ["a client chain has corrupt base64"] = ("'regions[us].clients.app.certificateChain'", d => d["regions"]![1]!["clients"]!["app"]!["certificateChain"] = CorruptBase64(Text(d, "regions", 1, "clients", "app", "certificateChain"))),
        ["a client chain's intermediate has corrupt base64"] = ("'regions[us].clients.app.certificateChain'", d => d["regions"]![1]!["clients"]!["app"]!["certificateChain"] = CorruptLastBase64(Text(d, "regions", 1, "clients", "app", "certificateChain"))),
        ["a client key is a certificate"] = ("'clientKeys.eu.app'", d => d["clientKeys"]!["eu"]!["app"] = Text(d, "rootCaCertificate")),
        ["a client key is not PEM"] = ("'clientKeys.eu.app'", d => d["clientKeys"]!["eu"]!["app"] = "secret"),
        ["a client key has corrupt base64"] = ("'clientKeys.eu.app'", d => d["clientKeys"]!["eu"]!["app"] = CorruptBase64(Text(d, "clientKeys", "eu", "app"))),
        ["a client key belongs to another certificate"] = ("'clientKeys.eu.app'", d => d["clientKeys"]!["eu"]!["app"] = Text(d, "clientKeys", "eu", "verify")),
        ["a client key belongs to another region's certificate"] = ("'clientKeys.us.verify'", d => d["clientKeys"]!["us"]!["verify"] = Text(d, "clientKeys", "eu", "verify")),
        ["the expired probe's key is the verify key"] = ("'clientKeys.us.expiredProbe'", d => d["clientKeys"]!["us"]!["expiredProbe"] = Text(d, "clientKeys", "us", "verify")),
        ["a client key is encrypted"] = ("'clientKeys.eu.app'", d => d["clientKeys"]!["eu"]!["app"] = Encrypted(Text(d, "clientKeys", "eu", "app"))),
        ["a client key comes with a certificate"] = ("'clientKeys.eu.app'", d => d["clientKeys"]!["eu"]!["app"] = Text(d, "clientKeys", "eu", "app") + Text(d, "rootCaCertificate")),
        ["a client key is null"] = ("'clientKeys.eu.app'", d => d["clientKeys"]!["eu"]!["app"] = null),
        ["a region's keys are missing"] = ("'clientKeys.us.", d => d["clientKeys"]!.AsObject().Remove("us")),
        ["a region's keys are null"] = ("'clientKeys.us' is null", d => d["clientKeys"]!["us"] = null),
        ["keys hidden as a secret"] = ("'clientKeys'", d => d["clientKeys"] = "[secret]"),
        ["regions is missing"] = ("'regions' is missing", d => d.AsObject().Remove("regions")),
        ["clientKeys is missing"] = ("'clientKeys' is missing", d => d.AsObject().Remove("clientKeys")),
        ["a region has no name key"] = ("'regions[1].name' is missing", d => d["regions"]![1]!.AsObject().Remove("name")),
        ["a region has no role"] = ("'regions[us].role' is missing", d => d["regions"]![1]!.AsObject().Remove("role")),
        ["a pooler has no port"] = ("'regions[eu].pooler.port' is missing", d => d["regions"]![0]!["pooler"]!.AsObject().Remove("port")),
        ["an instance port is a number in quotes"] = ("'regions[eu].instance.port' is \"5432\"", d => d["regions"]![0]!["instance"]!["port"] = "5432"),
        ["an instance port is a fraction"] = ("'regions[eu].instance.port' is 5432.5", d => d["regions"]![0]!["instance"]!["port"] = 5432.5),
        ["a client's user is a number"] = ("'regions[eu].clients.app.user' is 7", d => d["regions"]![0]!["clients"]!["app"]!["user"] = 7),
        ["a client is a string"] = ("'regions[us].clients.verify' is \"verify\", not an object", d => d["regions"]![1]!["clients"]!["verify"] = "verify"),
        ["the renewal windows are a list"] = ("'renewBeforeDays' is a list, not an object", d => d["renewBeforeDays"] = new JsonArray(1, 2, 3)),
        ["a delay in quotes"] = ("'regions[us].minApplyDelaySeconds' is \"60\"", d => d["regions"]![1]!["minApplyDelaySeconds"] = "60"),
    };

    private static string Build()
    {
        var regions = new[] { new SandboxRegion("eu", RegionRole.Primary, 15432, 16432, "/nonexistent/eu"), new SandboxRegion("us", RegionRole.Replica, 15433, 16433, "/nonexistent/us") };
        var topology = SandboxTopology.For(regions);
        return TopologyOutputsJson.Serialize(SandboxOutputs.For(topology, CertificateIssuer.Issue(PkiPlan.For(topology)), regions));
    }

    private static string Text(JsonNode document, params object[] path) =>
        path.Aggregate(document, (node, step) => step is int index ? node[index]! : node[(string)step]!).GetValue<string>();

    // A character outside base64 in the first block's body: the PEM framing stays, the content does not decode.
    private static string CorruptBase64(string pem)
    {
        var body = pem.IndexOf('\n', StringComparison.Ordinal) + 5;
        return string.Concat(pem.AsSpan(0, body), "!", pem.AsSpan(body + 1));
    }

    private static string CorruptLastBase64(string pem)
    {
        var body = pem.LastIndexOf("-----BEGIN", StringComparison.Ordinal);
        return string.Concat(pem.AsSpan(0, body), CorruptBase64(pem[body..]));
    }

    private static string Encrypted(string privateKeyPem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(privateKeyPem);
        return key.ExportEncryptedPkcs8PrivateKeyPem("passphrase", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000));
    }
}
