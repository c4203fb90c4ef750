using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace CrossClusterIac.Topology.Pki;

/// <summary>
/// ECDSA signatures with the nonce derived from the key and the message (RFC 6979), so the same certificate
/// signed twice is the same bytes. .NET's ECDSA draws a random nonce, which made a certificate signed inside the
/// Pulumi program differ on every preview; BouncyCastle's <see cref="HMacDsaKCalculator"/> is RFC 6979's.
/// </summary>
internal sealed class DeterministicEcdsaSignature : X509SignatureGenerator
{
    private readonly X509SignatureGenerator _standard;
    private readonly ECPrivateKeyParameters _key;

    public DeterministicEcdsaSignature(ECDsa key)
    {
        _standard = CreateForECDsa(key);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        var oid = parameters.Curve.Oid.Value ?? throw new NotSupportedException($"ECDSA curve '{parameters.Curve.Oid.FriendlyName}' has no OID.");
        var curve = ECNamedCurveTable.GetByOid(new DerObjectIdentifier(oid)) ?? throw new NotSupportedException($"ECDSA curve {oid} is not a named curve.");
        _key = new ECPrivateKeyParameters(new BigInteger(1, parameters.D), new ECDomainParameters(curve));
    }

    /// <inheritdoc/>
    public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) => _standard.GetSignatureAlgorithmIdentifier(hashAlgorithm);

    /// <inheritdoc/>
    public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm)
    {
        if (hashAlgorithm != HashAlgorithmName.SHA256)
        {
            throw new NotSupportedException($"Deterministic ECDSA is set up for SHA-256, not {hashAlgorithm.Name}.");
        }

        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(forSigning: true, _key);
        var rs = signer.GenerateSignature(SHA256.HashData(data));

        // X.509 carries ECDSA signatures as the DER SEQUENCE { r INTEGER, s INTEGER } (RFC 5480 section 2.2.3).
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(rs[0].ToByteArrayUnsigned());
            writer.WriteIntegerUnsigned(rs[1].ToByteArrayUnsigned());
        }

        return writer.Encode();
    }

    /// <inheritdoc/>
    protected override PublicKey BuildPublicKey() => _standard.PublicKey;
}
