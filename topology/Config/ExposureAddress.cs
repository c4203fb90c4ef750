using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace CrossClusterIac.Topology.Config;

/// <summary>What an exposure address is, and so what twin Service other regions get for it.</summary>
public enum AddressKind
{
    /// <summary>An IPv4 address: an <c>IPv4</c> EndpointSlice.</summary>
    IPv4,

    /// <summary>An IPv6 address: an <c>IPv6</c> EndpointSlice.</summary>
    IPv6,

    /// <summary>A DNS name: an <c>ExternalName</c> Service (kube-proxy ignores <c>FQDN</c> EndpointSlices).</summary>
    Hostname,
}

/// <summary>
/// An address another region dials, in the one spelling Kubernetes accepts for its kind. <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
/// alone is too lenient: it reads <c>3232235521</c> and <c>10.1</c> as other addresses and accepts zones and brackets,
/// none of which an EndpointSlice or a libpq host may carry.
/// </summary>
public sealed partial record ExposureAddress
{
    private ExposureAddress(string value, AddressKind kind)
    {
        Value = value;
        Kind = kind;
    }

    /// <summary>The address as written.</summary>
    public string Value { get; }

    /// <summary>Its kind.</summary>
    public AddressKind Kind { get; }

    /// <summary>The EndpointSlice <c>addressType</c> of an IP address.</summary>
    public string AddressType => Kind switch
    {
        AddressKind.IPv4 => "IPv4",
        AddressKind.IPv6 => "IPv6",
        _ => throw new InvalidOperationException($"'{Value}' is a DNS name; it has no EndpointSlice address type."),
    };

    /// <summary>Reads an address, or says what is wrong with it.</summary>
    public static bool TryParse(string? text, out ExposureAddress address, out string problem)
    {
        address = null!;
        problem = string.Empty;
        if (string.IsNullOrEmpty(text))
        {
            problem = "is empty";
            return false;
        }

        if (DottedQuad().IsMatch(text))
        {
            if (text.Split('.').Any(octet => int.Parse(octet, CultureInfo.InvariantCulture) > 255 || (octet.Length > 1 && octet[0] == '0')))
            {
                problem = "is not an IPv4 address (each of the four numbers is 0-255, without leading zeros)";
                return false;
            }

            address = new ExposureAddress(text, AddressKind.IPv4);
            return true;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            // IPv6 as an EndpointSlice holds it: no brackets, no zone (a zone names an interface of one host).
            if (text.IndexOfAny(['[', ']', '%', '/']) >= 0 || !IPAddress.TryParse(text, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            {
                problem = "is not an IPv6 address (write it without brackets, zone or prefix, e.g. 2001:db8::10)";
                return false;
            }

            // Kubernetes reads ::ffff:a.b.c.d as IPv4 and refuses it in an IPv6 EndpointSlice (apimachinery
            // pkg/util/validation/ip.go IsValidIPv6Address: ip.To4() != nil).
            if (ip.IsIPv4MappedToIPv6)
            {
                problem = $"is an IPv4 address written as IPv6, which Kubernetes refuses in an IPv6 EndpointSlice; write it as {ip.MapToIPv4()}";
                return false;
            }

            address = new ExposureAddress(text, AddressKind.IPv6);
            return true;
        }

        if (text.Length <= 253 && Hostname().IsMatch(text))
        {
            address = new ExposureAddress(text, AddressKind.Hostname);
            return true;
        }

        problem = "is neither an IPv4 nor an IPv6 address nor a DNS name (a DNS name's last label has a letter: '10.1' and '3232235521' are not names)";
        return false;
    }

    /// <summary>
    /// Why Kubernetes refuses this IP as an EndpointSlice address, or null when it accepts it (a DNS name included):
    /// unspecified, loopback, link-local unicast and link-local multicast, as kubernetes
    /// <c>pkg/apis/core/validation/validation.go</c> ValidateNonSpecialIP refuses them for <c>discovery/validation</c>
    /// validateEndpoints. None of them would reach another region's cluster anyway.
    /// </summary>
    public string? NotRoutable
    {
        get
        {
            if (Kind == AddressKind.Hostname)
            {
                return null;
            }

            var ip = IPAddress.Parse(Value);
            var bytes = ip.GetAddressBytes();
            return ip switch
            {
                _ when ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) => "is the unspecified address",
                _ when IPAddress.IsLoopback(ip) => "is a loopback address (127.0.0.0/8, ::1)",
                _ when ip.IsIPv6LinkLocal || (Kind == AddressKind.IPv4 && bytes[0] == 169 && bytes[1] == 254) => "is a link-local address (169.254.0.0/16, fe80::/10)",
                _ when (Kind == AddressKind.IPv4 && bytes[0] == 224 && bytes[1] == 0 && bytes[2] == 0) || (Kind == AddressKind.IPv6 && bytes[0] == 0xff && (bytes[1] & 0x0f) == 0x02) => "is a link-local multicast address (224.0.0.0/24, ffx2::/16)",
                _ => null,
            };
        }
    }

    /// <summary>Reads an address known to be valid.</summary>
    public static ExposureAddress Parse(string text) =>
        TryParse(text, out var address, out var problem) ? address : throw new FormatException($"'{text}' {problem}.");

    /// <inheritdoc/>
    public override string ToString() => Value;

    [GeneratedRegex("^[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}$")]
    private static partial Regex DottedQuad();

    // Lowercase labels of RFC 1123; the last one (the top-level domain) is not all digits (RFC 3696 section 2).
    [GeneratedRegex("^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)*[a-z0-9]*[a-z][-a-z0-9]{0,61}(?<!-)$")]
    private static partial Regex Hostname();
}
