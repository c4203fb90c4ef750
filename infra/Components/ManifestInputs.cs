using CrossClusterIac.Topology.Manifests;
using Pulumi;
using K8s = Pulumi.Kubernetes;

namespace CrossClusterIac.Infra.Components;

/// <summary>Maps the core's manifests onto Pulumi.Kubernetes inputs, field by field and nothing more.</summary>
internal static class ManifestInputs
{
    /// <summary>metadata: name, namespace, labels, annotations.</summary>
    public static K8s.Types.Inputs.Meta.V1.ObjectMetaArgs Metadata(Manifest manifest) => new()
    {
        Name = manifest.Name,
        Namespace = manifest.Namespace,
        Labels = InputMaps.From(manifest.Labels),
        Annotations = InputMaps.From(manifest.Annotations),
    };

    /// <summary>A Service manifest as typed arguments.</summary>
    public static K8s.Types.Inputs.Core.V1.ServiceArgs Service(Manifest manifest)
    {
        var spec = Map(manifest.Body["spec"]);
        var args = new K8s.Types.Inputs.Core.V1.ServiceSpecArgs { Type = (string)spec["type"]! };
        if (spec.TryGetValue("selector", out var selector))
        {
            args.Selector = InputMaps.From(Map(selector).Select(p => KeyValuePair.Create(p.Key, (string)p.Value!)));
        }

        foreach (var port in List(spec["ports"]).Select(Map))
        {
            args.Ports.Add(new K8s.Types.Inputs.Core.V1.ServicePortArgs
            {
                Name = (string)port["name"]!,
                Protocol = (string)port["protocol"]!,
                Port = (int)port["port"]!,
                TargetPort = (int)port["targetPort"]!,
                NodePort = port.TryGetValue("nodePort", out var nodePort) ? (int)nodePort! : (Input<int>?)null,
            });
        }

        return new K8s.Types.Inputs.Core.V1.ServiceArgs { Metadata = Metadata(manifest), Spec = args };
    }

    /// <summary>
    /// An EndpointSlice manifest as typed arguments; <paramref name="discoveredAddress"/>, when given, takes the
    /// place of the address the core could only name <c>auto</c>.
    /// </summary>
    public static K8s.Types.Inputs.Discovery.V1.EndpointSliceArgs EndpointSlice(Manifest manifest, Input<string>? discoveredAddress = null)
    {
        var args = new K8s.Types.Inputs.Discovery.V1.EndpointSliceArgs
        {
            Metadata = Metadata(manifest),
            AddressType = (string)manifest.Body["addressType"]!,
        };
        foreach (var endpoint in List(manifest.Body["endpoints"]).Select(Map))
        {
            var addresses = new InputList<string>();
            if (discoveredAddress is not null)
            {
                addresses.Add(discoveredAddress);
            }
            else
            {
                foreach (var address in List(endpoint["addresses"]))
                {
                    addresses.Add((string)address!);
                }
            }

            args.Endpoints.Add(new K8s.Types.Inputs.Discovery.V1.EndpointArgs
            {
                Addresses = addresses,
                Conditions = new K8s.Types.Inputs.Discovery.V1.EndpointConditionsArgs { Ready = (bool)Map(endpoint["conditions"])["ready"]! },
            });
        }

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
