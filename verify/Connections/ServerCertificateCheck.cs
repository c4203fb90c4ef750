using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace CrossClusterIac.Verify.Connections;

/// <summary>
/// How verify holds an endpoint's server certificate to account in one TLS handshake, and what it saw there: the name the
/// certificate must carry, and a chain to the trusted roots alone (the system store is not consulted). It is the
/// handshake's validation callback, for a bare handshake (<see cref="TlsProbe"/>) and for a login that reports its TLS
/// session (<see cref="Connector.OpenReportingTlsAsync"/>) alike; one check serves one handshake.
/// </summary>
/// <param name="target">The endpoint, whose server name the certificate must carry.</param>
/// <param name="roots">The trusted roots.</param>
public sealed class ServerCertificateCheck(ConnectionTarget target, X509Certificate2Collection roots)
{
    private readonly TaskCompletionSource<X509Certificate2> _anchor = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SslStream? _stream;
    private X509Certificate2? _certificate;

    /// <summary>
    /// The root the server's chain ends at, known once the certificate is accepted, so even when the login that follows
    /// fails; faulted with what stopped the handshake, once <see cref="Failed"/> says so.
    /// </summary>
    public Task<X509Certificate2> Anchor => _anchor.Task;

    /// <summary>Why the server certificate was refused; null while it was not.</summary>
    public string? Refusal { get; private set; }

    /// <summary>Whether the server certificate was accepted: what fails after that failed past the handshake's verdict.</summary>
    public bool Accepted => _anchor.Task.IsCompletedSuccessfully;

    /// <summary>The validation callback: refuses a certificate without the endpoint's name or without a chain to the roots.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || chain is null)
        {
            Refusal = "the server sent no certificate";
            return false;
        }

        // SslStream passes itself as the sender (dotnet/runtime System.Net.Security RemoteCertificateVerification.cs,
        // VerifyRemoteCertificate), and disposes the chain and its certificates once the callback returns: what is kept
        // is copied.
        _stream = sender as SslStream;
        _certificate = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            Refusal = $"{CertificateFacts.Describe(_certificate)} is not valid for the name {target.Endpoint.ServerName}";
            return false;
        }

        var verdict = CertificateChains.Verify(_certificate, roots, chain.ChainPolicy.ExtraStore, CertificateChains.ServerAuthentication);
        if (!verdict.Trusted)
        {
            Refusal = $"{CertificateFacts.Describe(_certificate)} does not verify under the trusted roots: {string.Join("; ", verdict.Problems)}";
            return false;
        }

        _anchor.TrySetResult(verdict.Anchor!);
        return true;
    }

    /// <summary>
    /// What the handshake negotiated, read from verify's end once it completed, while its stream is open.
    /// </summary>
    /// <exception cref="InvalidOperationException">The certificate was not accepted.</exception>
    public TlsSession Session()
    {
        if (!Accepted || _stream is null)
        {
            throw new InvalidOperationException("the server certificate was not accepted");
        }

        return new TlsSession(_stream.SslProtocol, _stream.NegotiatedCipherSuite, _certificate!, Anchor.Result);
    }

    /// <summary>
    /// What the handshake's or the login's failure <paramref name="e"/> becomes: a <see cref="ServerCertificateException"/>
    /// saying why the certificate was refused when it was, else <paramref name="e"/>; either way <see cref="Anchor"/> ends.
    /// </summary>
    public Exception Failed(Exception e)
    {
        var failure = Refusal is { } refusal ? new ServerCertificateException(refusal, e) : e;
        _anchor.TrySetException(failure);
        return failure;
    }
}
