using System.Net;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;

namespace CrossClusterIac.Tests.Topology.Config;

/// <summary>Exposure addresses: the spellings Kubernetes and libpq accept, and the twins each kind gets.</summary>
public sealed class ExposureAddressTests
{
    [Theory]
    [InlineData("3232235521")]
    [InlineData("10.1")]
    [InlineData("010.0.0.1")]
    [InlineData("10.0.0.256")]
    [InlineData("[2001:db8::1]")]
    [InlineData("fe80::1%eth0")]
    [InlineData("2001:db8::/32")]
    [InlineData("pg-eu.example.com.")]
    [InlineData("-pg.example.com")]
    [InlineData("PG.example.com")]
    [InlineData("")]
    [InlineData("::ffff:10.0.0.5")]
    [InlineData("::ffff:a00:5")]
    public void AnAddressThatIpAddressParseWouldBendIsRefused(string text)
    {
        Assert.False(ExposureAddress.TryParse(text, out _, out var problem));
        Assert.NotEmpty(problem);
    }

    [Theory]
    [InlineData("10.0.0.5", AddressKind.IPv4)]
    [InlineData("0.0.0.0", AddressKind.IPv4)]
    [InlineData("::", AddressKind.IPv6)]
    [InlineData("2001:db8::10", AddressKind.IPv6)]
    [InlineData("internal-pg-eu-123.elb.eu-west-1.amazonaws.com", AddressKind.Hostname)]
    [InlineData("1.2.3.example", AddressKind.Hostname)]
    public void AnAddressIsReadAsItsKind(string text, AddressKind kind)
    {
        Assert.True(ExposureAddress.TryParse(text, out var address, out _));
        Assert.Equal(kind, address.Kind);
        Assert.Equal(text, address.Value);
    }

    [Theory]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("::", "unspecified")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.0.9", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("169.254.1.1", "link-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("febf::1", "link-local")]
    [InlineData("224.0.0.1", "link-local multicast")]
    [InlineData("ff02::1", "link-local multicast")]
    [InlineData("ff12::1", "link-local multicast")]
    public void AnAddressKubernetesRefusesInAnEndpointSliceIsNotRoutable(string text, string why)
    {
        Assert.Contains(why, ExposureAddress.Parse(text).NotRoutable, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("169.255.0.1")]
    [InlineData("224.0.1.1")]
    [InlineData("128.0.0.1")]
    [InlineData("2001:db8::10")]
    [InlineData("fec0::1")]
    [InlineData("ff05::1")]
    [InlineData("pg.example.com")]
    public void AnAddressKubernetesAcceptsInAnEndpointSliceIsRoutable(string text) => Assert.Null(ExposureAddress.Parse(text).NotRoutable);

    [Fact]
    public void EveryAcceptedAddressBecomesARoutableTwinAndNeverAnFqdnSlice()
    {
        // Property: over many generated strings (IP-like, name-like and junk), an accepted address either is an IP
        // that IPAddress reads back to itself and becomes an IPv4/IPv6 slice, or is a name and becomes an ExternalName.
        var random = new Random(9);
        var sliceTwin = new RemoteEndpoint("eu", ExposedService.ReadWrite, "pg-eu-rw", "databases", 30432, TwinShape.EndpointSlice);
        var nameTwin = sliceTwin with { Shape = TwinShape.ExternalName, Port = ExposureConfig.PostgresPort };
        const string alphabet = "0123456789abcdef.:-%[]/ ";
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var text = new string(Enumerable.Range(0, random.Next(1, 24)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            if (i % 3 == 0)
            {
                text = string.Join('.', Enumerable.Range(0, random.Next(1, 6)).Select(_ => random.Next(0, 300).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            if (!ExposureAddress.TryParse(text, out var address, out _))
            {
                continue;
            }

            accepted++;
            if (address.Kind == AddressKind.Hostname)
            {
                Assert.Throws<ExposureAddressException>(() => sliceTwin.For(address).ToList());
                Assert.Equal("ExternalName", ((IReadOnlyDictionary<string, object?>)Assert.Single(nameTwin.For(address)).Body["spec"]!)["type"]);
            }
            else
            {
                if (address.Kind == AddressKind.IPv4)
                {
                    Assert.Equal(text, IPAddress.Parse(text).ToString());
                }

                var slice = sliceTwin.Slice(address)!;
                Assert.Equal(address.Kind.ToString(), slice.Body["addressType"]);
                Assert.Throws<ExposureAddressException>(() => nameTwin.For(address).ToList());
            }
        }

        Assert.True(accepted > 1000, $"only {accepted} generated addresses were accepted");
    }
}
