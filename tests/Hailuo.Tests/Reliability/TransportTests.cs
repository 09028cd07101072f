using Hailuo.Credentials;
using Hailuo.Models;
using Hailuo.Reliability;

namespace Hailuo.Tests.Reliability;

/// <summary>
/// The short version of part 5 of issue 6 (the long one is <c>--only transport</c>): https only, the
/// key never after a redirect to another origin, downloads bounded in size, every call bounded in time.
/// </summary>
public sealed class TransportTests : IDisposable
{
    private readonly string _key = SecretScanner.NewCanary();
    private readonly string _folder = Directory.CreateTempSubdirectory("hailuo-transport-").FullName;

    public static TheoryData<string, bool> BaseUris()
    {
        var data = new TheoryData<string, bool>();
        foreach (var (uri, allowed) in TransportChecks.BaseUris)
        {
            data.Add(uri, allowed);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BaseUris))]
    public void A_base_uri_is_refused_unless_it_is_https_or_loopback(string uri, bool allowed)
    {
        foreach (var verdict in TransportChecks.CheckBaseUri(uri, allowed, _key))
        {
            Assert.True(verdict.Passed, $"{verdict.Case} should be {(allowed ? "allowed" : "refused")}: {verdict.Detail}");
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
