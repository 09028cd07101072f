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

    [Fact]
    public async Task A_client_without_retries_can_be_made_and_tries_once()
    {
        await using var server = new HostileServer(Hostility.Silent);
        using var client = new HailuoClient(new HailuoClientOptions(HailuoProvider.Replicate)
        {
            BaseUri = HailuoClientOptions.EmulatorBaseUri(HailuoProvider.Replicate, new Uri(server.Url)),
            Credentials = new StaticCredentialSource(new HailuoCredential(_key, "test")),
            UseLedger = false,
            MaxRetries = 0,
            AttemptTimeout = TimeSpan.FromSeconds(0.3),
        });

        var error = await Assert.ThrowsAsync<HailuoException>(() => client.GetJobAsync("job-1"));

        Assert.Equal(HailuoErrorKind.Transient, error.Error.Kind);
        Assert.Equal(1, server.Connections);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
