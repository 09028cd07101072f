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
    public async Task A_redirect_off_https_or_off_loopback_is_refused_before_anything_is_sent() =>
        AssertAll(await TransportChecks.CheckRedirectTargetsAsync(_key, CancellationToken.None));

    [Fact]
    public async Task An_https_api_that_redirects_to_http_is_refused_even_on_loopback() =>
        AssertAll([await TransportChecks.CheckHttpsDowngradeAsync(_key, CancellationToken.None)]);

    public static TheoryData<string> OtherOrigins() => [.. TransportChecks.OtherOrigins];

    [Theory]
    [MemberData(nameof(OtherOrigins))]
    public async Task The_key_is_not_sent_to_another_origin_after_a_redirect(string otherOrigin)
    {
        var runs = await Task.WhenAll(Enum.GetValues<HailuoProvider>()
            .Select(p => TransportChecks.RunThroughRedirectsAsync(p, otherOrigin, _key, _folder, CancellationToken.None)));

        foreach (var run in runs)
        {
            Assert.True(run.Failure is null, $"{run.Provider}: the job did not complete through the redirects ({run.Failure}), so the check proves nothing.");
            Assert.True(run.KeyAtApi > 0, $"{run.Provider}: the API's own origin never saw the key, so the recorder proves nothing.");
            Assert.True(run.AtOther > 0, $"{run.Provider}: nothing reached {otherOrigin}; the redirects were not followed.");
            Assert.True(run.KeyAtOther == 0, $"{run.Provider}: the key reached {otherOrigin} in {run.KeyAtOther} of {run.AtOther} requests ({string.Join(", ", run.Operations)}).");
        }
    }

    [Fact]
    public async Task A_download_is_bounded_in_size() =>
        AssertAll(await TransportChecks.CheckDownloadSizeAsync(_folder, CancellationToken.None));

    [Fact]
    public async Task A_server_that_never_answers_fails_each_operation_within_its_stated_bound()
    {
        var verdicts = await TransportChecks.CheckTimeoutsAsync(TimeoutPlan.Short, _folder, CancellationToken.None);

        Assert.NotEmpty(verdicts);
        foreach (var v in verdicts)
        {
            // What this catches is a call that hangs (HttpClient's own timeout is 100 s) or ignores its options; how close
            // each comes to its bound is the reliability run's figure (docs/reliability.md), since a loaded machine delays
            // timers here by seconds.
            Assert.True(v.FailedAsExpected && v.Measured <= v.Bound * 4 + TimeSpan.FromSeconds(5),
                $"{v.Operation} against a server that {v.Behaviour}: {v.Measured.TotalSeconds:0.00} s against a bound of {v.Bound.TotalSeconds:0.00} s: {v.Outcome}");
        }
    }

    [Fact]
    public async Task A_client_without_retries_can_be_made_and_tries_once()
    {
        await using var server = new HostileServer(Hostility.Silent);
        using var client = new HailuoClient(new HailuoClientOptions(HailuoProvider.Replicate)
        {
            BaseUri = CmdletPipeline.EmulatorApiRoot(HailuoProvider.Replicate, new Uri(server.Url)),
            Credentials = new StaticCredentialSource(new HailuoCredential(_key, "test")),
            UseLedger = false,
            MaxRetries = 0,
            AttemptTimeout = TimeSpan.FromSeconds(0.3),
        });

        var error = await Assert.ThrowsAsync<HailuoException>(() => client.GetJobAsync("job-1"));

        Assert.Equal(HailuoErrorKind.Transient, error.Error.Kind);
        Assert.Equal(1, server.Connections);
    }

    /// <summary>Each case its own assertion, whose message says what was let through.</summary>
    private static void AssertAll(IEnumerable<TransportVerdict> verdicts)
    {
        foreach (var verdict in verdicts)
        {
            Assert.True(verdict.Passed, $"{verdict.Case}: {verdict.Detail}");
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
