using System.Security.Cryptography.X509Certificates;
using Npgsql;

namespace CrossClusterIac.Verify.Connections;

/// <summary>
/// Opens database connections the way the topology must be used: TLS, verify-full against the shared root
/// only, checked against the endpoint's server name rather than the address dialled, with a client certificate.
/// </summary>
/// <param name="roots">The trusted roots.</param>
/// <param name="database">The database every connection opens.</param>
/// <param name="timeout">The limit of each open and each command.</param>
/// <param name="looks">Where a run's diagnoses look at an endpoint whose open is slow; none outside a run.</param>
public sealed class Connector(X509Certificate2Collection roots, string database, TimeSpan timeout, EndpointLooks? looks = null)
{
    /// <summary>The trusted roots: the shared root, or the current and the next during a root rotation.</summary>
    public X509Certificate2Collection Roots => roots;

    /// <summary>The certificates of a PEM trust bundle (the outputs' <c>rootCaCertificate</c>), each a trust anchor.</summary>
    public static X509Certificate2Collection TrustAnchors(string bundlePem)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(bundlePem);
        return certificates;
    }

    /// <summary>Per-attempt limit for connecting and for each command.</summary>
    public TimeSpan Timeout => timeout;

    /// <summary>Opens a connection to <paramref name="target"/> as <paramref name="identity"/>.</summary>
    public Task<NpgsqlConnection> OpenAsync(ConnectionTarget target, ClientIdentity? identity, CancellationToken cancellationToken, ConnectionVariant variant = ConnectionVariant.Normal, string? user = null, string? password = null) =>
        OpenAsync(target, identity, null, variant, user, password, cancellationToken);

    /// <summary>
    /// Opens a connection to <paramref name="target"/> as <paramref name="identity"/> whose TLS handshake
    /// <paramref name="check"/> judges and records: what it negotiated, the server certificate and the root it chains to,
    /// which a bare handshake (<see cref="TlsProbe"/>) would otherwise cost a connection of its own.
    /// </summary>
    /// <exception cref="ServerCertificateException">The server certificate was refused; the message says why.</exception>
    public async Task<NpgsqlConnection> OpenReportingTlsAsync(ConnectionTarget target, ClientIdentity identity, ServerCertificateCheck check, CancellationToken cancellationToken)
    {
        try
        {
            return await OpenAsync(target, identity, check, ConnectionVariant.Normal, null, null, cancellationToken);
        }
        catch (Exception e)
        {
            throw check.Failed(e);
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(ConnectionTarget target, ClientIdentity? identity, ServerCertificateCheck? check, ConnectionVariant variant, string? user, string? password, CancellationToken cancellationToken)
    {
        var dataSource = Build(target, identity, check, variant, user, password);
        try
        {
            var open = dataSource.OpenConnectionAsync(cancellationToken).AsTask();
            var connection = looks is null ? await open : await looks.WatchAsync(open, target, cancellationToken);
            // The data source only configures this one connection; disposing the connection is enough to free it.
            return connection;
        }
        finally
        {
            await dataSource.DisposeAsync();
        }
    }

    private NpgsqlDataSource Build(ConnectionTarget target, ClientIdentity? identity, ServerCertificateCheck? check, ConnectionVariant variant, string? user, string? password)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
        var username = user ?? identity?.User ?? "nobody";
        var builder = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder
        {
            Host = target.Endpoint.Host,
            Port = target.Endpoint.Port,
            Database = database,
            Username = username,
            Password = password,
            // Npgsql refuses a validation callback of our own under VerifyFull and alongside root certificates
            // (NpgsqlConnector.NegotiateEncryption, src/Npgsql/Internal/NpgsqlConnector.cs), and keeps no handle on the
            // TLS stream it negotiated; under Require the check's callback is the whole verdict, with verify-full's rules:
            // the endpoint's name, and a chain to the trusted roots only (ServerCertificateCheck.Validate).
            SslMode = variant == ConnectionVariant.Plaintext ? SslMode.Disable : check is null ? SslMode.VerifyFull : SslMode.Require,
            GssEncryptionMode = GssEncryptionMode.Disable,
            // Timeout bounds the whole open, TLS handshake included: Npgsql passes its NpgsqlTimeout into
            // IEncryptionHandler.NegotiateEncryption (src/Npgsql/Internal/NpgsqlConnector.cs), so a server that
            // accepts TCP and never answers costs one timeout, not a hang.
            Timeout = seconds,
            CommandTimeout = seconds,
            Pooling = false,
            ApplicationName = "crosscluster-verify",
        }.ConnectionString);

        // Named after the role and the endpoint, as Npgsql's metrics (db.client.connection.create_time, tagged with the data
        // source's name: https://www.npgsql.org/doc/diagnostics/metrics.html) then count the connections verify opens to each.
        builder.Name = $"{username}@{target.Endpoint.Host}:{target.Endpoint.Port}";

        // verify reads only built-in types; loading the server's type catalogue would cost a query per connection.
        builder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
        if (variant != ConnectionVariant.Plaintext)
        {
            if (check is null)
            {
                builder.UseRootCertificates(roots);
            }

            builder.UseSslClientAuthenticationOptionsCallback(options =>
            {
                // Dial the address, but hold the certificate to the service name, as in-cluster clients see it.
                options.TargetHost = target.Endpoint.ServerName;
                options.ClientCertificateContext = identity?.Context;
                if (check is not null)
                {
                    options.RemoteCertificateValidationCallback = check.Validate;
                }
            });
        }

        return builder.Build();
    }
}

/// <summary>How a connection departs from the normal, fully authenticated one.</summary>
public enum ConnectionVariant
{
    /// <summary>TLS with verify-full and the client certificate given.</summary>
    Normal,

    /// <summary>No TLS at all.</summary>
    Plaintext,
}
