namespace CrossClusterIac.Infra.Components;

/// <summary>A CNPG or barman-cloud object as data: its name, annotations and spec body (nested dictionaries and lists).</summary>
/// <param name="Name">metadata.name.</param>
/// <param name="Annotations">metadata.annotations, e.g. <c>pulumi.com/waitFor</c>.</param>
/// <param name="Spec">The spec body.</param>
public sealed record CnpgObject(string Name, IReadOnlyDictionary<string, string> Annotations, IReadOnlyDictionary<string, object> Spec);
