using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;
using Pulumi;
using K8s = Pulumi.Kubernetes;

namespace CrossClusterIac.Infra.Components;

/// <summary>Maps the core's manifests onto Pulumi.Kubernetes inputs, field by field and nothing more.</summary>
internal static class ManifestInputs
{
    /// <summary>
    /// metadata: name, namespace, labels, annotations; a fingerprint annotation (<see cref="Manifest.MaterialAnnotations"/>)
    /// is computed from <paramref name="material"/>, which such a manifest needs.
    /// </summary>
    /// <exception cref="InvalidOperationException">The manifest fingerprints material and none is given.</exception>
    public static K8s.Types.Inputs.Meta.V1.ObjectMetaArgs Metadata(Manifest manifest, Func<SecretMaterial, Output<string>>? material = null)
    {
        var annotations = InputMaps.From(manifest.Annotations);
        foreach (var (key, parts) in manifest.MaterialAnnotations)
        {
            var source = material ?? throw new InvalidOperationException($"{manifest}'s annotation {key} fingerprints certificate material; pass the region's PKI.");
            annotations.Add(key, Output.All(parts.Select(source)).Apply(values => MaterialFingerprint.Of(values)));
        }

        return new()
        {
            Name = manifest.Name,
            Namespace = manifest.Namespace,
            Labels = InputMaps.From(manifest.Labels),
            Annotations = annotations,
        };
    }

    /// <summary>
    /// A Service manifest as typed arguments; an ExternalName Service takes its name from <paramref name="externalName"/>
    /// when given (a twin's, known once the remote load balancer reports it), else from the manifest.
    /// </summary>
    public static K8s.Types.Inputs.Core.V1.ServiceArgs Service(Manifest manifest, Input<string>? externalName = null)
    {
        var spec = Map(manifest.Body["spec"]);
        var args = new K8s.Types.Inputs.Core.V1.ServiceSpecArgs { Type = (string)spec["type"]!, ExternalName = externalName };
        if (externalName is null && spec.TryGetValue("externalName", out var name) && name is string alias)
        {
            args.ExternalName = alias;
        }

        if (spec.TryGetValue("selector", out var selector))
        {
            args.Selector = InputMaps.From(Map(selector).Select(p => KeyValuePair.Create(p.Key, (string)p.Value!)));
        }

        if (spec.TryGetValue("loadBalancerSourceRanges", out var ranges))
        {
            args.LoadBalancerSourceRanges = List(ranges).Cast<string>().ToList();
        }

        foreach (var port in List(spec["ports"]).Select(Map))
        {
            args.Ports.Add(new K8s.Types.Inputs.Core.V1.ServicePortArgs
            {
                Name = (string)port["name"]!,
                Protocol = (string)port["protocol"]!,
                Port = (int)port["port"]!,
                TargetPort = port.TryGetValue("targetPort", out var target) ? (int)target! : (InputUnion<int, string>?)null,
                NodePort = port.TryGetValue("nodePort", out var nodePort) ? (int)nodePort! : (Input<int>?)null,
            });
        }

        return new K8s.Types.Inputs.Core.V1.ServiceArgs { Metadata = Metadata(manifest), Spec = args };
    }

    /// <summary>
    /// An EndpointSlice manifest (made for a placeholder address) as typed arguments, with <paramref name="address"/>,
    /// known at deploy time, as its one endpoint and address type, and <paramref name="name"/> its name for that address.
    /// </summary>
    public static K8s.Types.Inputs.Discovery.V1.EndpointSliceArgs EndpointSlice(Manifest manifest, Output<ExposureAddress> address, Func<ExposureAddress, string> name)
    {
        var endpoint = Map(List(manifest.Body["endpoints"]).Single());
        var metadata = Metadata(manifest);
        metadata.Name = address.Apply(name);
        var args = new K8s.Types.Inputs.Discovery.V1.EndpointSliceArgs
        {
            Metadata = metadata,
            AddressType = address.Apply(a => a.AddressType),
            Endpoints =
            {
                new K8s.Types.Inputs.Discovery.V1.EndpointArgs
                {
                    Addresses = { address.Apply(a => a.Value) },
                    Conditions = new K8s.Types.Inputs.Discovery.V1.EndpointConditionsArgs { Ready = (bool)Map(endpoint["conditions"])["ready"]! },
                },
            },
        };
        foreach (var port in List(manifest.Body["ports"]).Select(Map))
        {
            args.Ports.Add(new K8s.Types.Inputs.Discovery.V1.EndpointPortArgs
            {
                Name = (string)port["name"]!,
                Protocol = (string)port["protocol"]!,
                Port = (int)port["port"]!,
            });
        }

        return args;
    }

    /// <summary>A nested map of the manifest model.</summary>
    public static IReadOnlyDictionary<string, object?> Map(object? value) => (IReadOnlyDictionary<string, object?>)value!;

    private static IEnumerable<object?> List(object? value) => ((System.Collections.IEnumerable)value!).Cast<object?>();
}
