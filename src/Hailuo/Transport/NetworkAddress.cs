using System;
using System.Net;
using System.Net.Sockets;

namespace Hailuo.Transport;

/// <summary>
/// What a URL's host is, as far as its text says: this computer, or a private network's address. The emulator
/// compiles this same file (src/Hailuo.Emulator/Hailuo.Emulator.csproj) for its own loopback rules, so it is internal.
/// </summary>
internal static class NetworkAddress
{
    /// <summary>localhost, 127.0.0.0/8 or ::1 (the emulator, and the only hosts plain http may reach).</summary>
    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback
        || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>
    /// A host a provider's servers must not be sent to fetch from: this computer, a private or carrier-grade NAT
    /// network, link-local (169.254.169.254, the cloud metadata service, among them), or no address at all. Names
    /// that only a local resolver knows (.localhost, .local, .internal) count too; public names are not resolved here.
    /// </summary>
    public static bool IsPrivateOrLocal(Uri uri)
    {
        var host = uri.Host.Trim('[', ']').TrimEnd('.');
        if (IsLoopback(uri) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".local", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".internal", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (!IPAddress.TryParse(host, out var address))
        {
            return false;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            return address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (bytes[0] & 0xFE) == 0xFC; // fc00::/7, unique local
        }
        var b = address.GetAddressBytes();
        return b[0] is 0 or 10 or 127 || b[0] >= 224
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 172 && b[1] is >= 16 and <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 100 && b[1] is >= 64 and <= 127);
    }
}
