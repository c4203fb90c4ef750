using System.Text;
using System.Text.Json;

namespace CrossClusterIac.Verify;

/// <summary>
/// The primary cluster's <c>&lt;cluster&gt;-app</c> Secret, which CNPG's operator creates with a generated password for
/// the database owner (<c>kubectl get secret pg-eu-app -o json</c> prints it; the sandbox writes it as
/// <c>&lt;region&gt;/app-secret.json</c>).
/// </summary>
public static class AppSecretFile
{
    private const int MaximumBytes = 1 << 20;

    /// <summary>Reads the owner and password from the Secret document at <paramref name="path"/>.</summary>
    /// <exception cref="UsageException">The file cannot be read or is not such a Secret; the message says which key is missing.</exception>
    public static AppCredentials Read(string path)
    {
        byte[] content;
        if (Directory.Exists(path))
        {
            throw new UsageException($"--app-secret {path}: is a directory; give the Secret file, e.g. {Path.Combine(path, "app-secret.json")}");
        }

        try
        {
            using var file = File.OpenRead(path);
            if (!file.CanSeek || file.Length > MaximumBytes)
            {
                throw new UsageException($"--app-secret {path}: not a Secret file of at most 1 MiB; save one with `kubectl get secret pg-eu-app -o json > app-secret.json`");
            }

            content = new byte[file.Length];
            file.ReadExactly(content);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--app-secret {path}: cannot read it ({e.Message})");
        }

        try
        {
            using var document = JsonDocument.Parse(content);
            return new AppCredentials(Value(document.RootElement, "username", path), Value(document.RootElement, "password", path));
        }
        catch (JsonException e)
        {
            throw new UsageException($"--app-secret {path}: not JSON ({e.Message}); save the Secret with `kubectl get secret pg-eu-app -o json`");
        }
    }

    // The API returns base64 `data`; a manifest may carry plain `stringData`.
    private static string Value(JsonElement secret, string key, string path)
    {
        if (secret.ValueKind == JsonValueKind.Object && secret.TryGetProperty("stringData", out var plain) && plain.ValueKind == JsonValueKind.Object
            && plain.TryGetProperty(key, out var text) && text.ValueKind == JsonValueKind.String)
        {
            return text.GetString()!;
        }

        if (secret.ValueKind == JsonValueKind.Object && secret.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty(key, out var encoded) && encoded.ValueKind == JsonValueKind.String)
        {
            try
            {
                return Encoding.UTF8.GetString(Convert.FromBase64String(encoded.GetString()!));
            }
            catch (FormatException)
            {
                throw new UsageException($"--app-secret {path}: data.{key} is not base64");
            }
        }

        throw new UsageException($"--app-secret {path}: no data.{key} (or stringData.{key}); is this the cluster's -app Secret?");
    }
}

/// <summary>The database owner's password login that CNPG's app Secret holds.</summary>
/// <param name="User">The owner role.</param>
/// <param name="Password">Its password.</param>
public sealed record AppCredentials(string User, string Password)
{
    /// <inheritdoc />
    public override string ToString() => $"{User} (password withheld)";
}
