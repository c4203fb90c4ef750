using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using CrossClusterIac.Topology.Outputs;

namespace CrossClusterIac.Verify.Connections;

/// <summary>A client certificate with its key and the intermediates it presents, as a database role.</summary>
public sealed class ClientIdentity : IDisposable
{
    private readonly X509Certificate2 _leaf;
    private readonly X509Certificate2Collection _intermediates;

    private ClientIdentity(string user, X509Certificate2 leaf, X509Certificate2Collection intermediates)
    {
        User = user;
        _leaf = leaf;
        _intermediates = intermediates;
        Context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
    }

    /// <summary>The database role it logs in as.</summary>
    public string User { get; }

    /// <summary>The leaf certificate.</summary>
    public X509Certificate2 Certificate => _leaf;

    /// <summary>
    /// What TLS sends: the leaf and its intermediates. Peers trust only the root, so a leaf sent alone would be
    /// refused with "unknown ca".
    /// </summary>
    public SslStreamCertificateContext Context { get; }

    /// <summary>Loads an identity from a PEM chain (leaf first) and its PEM private key.</summary>
    public static ClientIdentity FromPem(string user, string chainPem, string privateKeyPem)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(chainPem);
        if (chain.Count == 0)
        {
            throw new FormatException($"the certificate chain for '{user}' holds no PEM certificate");
        }

        var leaf = X509Certificate2.CreateFromPem(chain[0].ExportCertificatePem(), privateKeyPem);
        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < chain.Count; i++)
        {
            intermediates.Add(chain[i]);
        }

        return new ClientIdentity(user, leaf, intermediates);
    }

    /// <summary>The identity of client <paramref name="client"/> of region <paramref name="region"/>.</summary>
    public static ClientIdentity For(TopologyOutputs outputs, RegionOutputs region, string client)
    {
        var certificate = region.Clients[client];
        return FromPem(certificate.User, certificate.CertificateChain, outputs.ClientKeys[region.Name][client]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _leaf.Dispose();
        foreach (var intermediate in _intermediates)
        {
            intermediate.Dispose();
        }
    }
}
