using Hailuo.Models;
using Microsoft.Extensions.Time.Testing;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Engine.Client;

/// <summary>
/// Retries under every fault kind: reads are retried, a create only when it provably did not reach
/// the provider, and the emulator's stats show no duplicate paid create.
/// </summary>
public sealed class ResilienceTests
{
    private static async Task<(EngineHarness H, HailuoClient Client)> StartAsync(HailuoProvider provider, string faults, Action<HailuoClientOptions>? configure = null)
    {
        var h = await EngineHarness.StartAsync();
        await h.Emulator.SetFaultsAsync(faults);
        return (h, h.Client(provider, configure));
    }

    /// <summary>A fault that fires on the first <paramref name="times"/> matching requests, then stops.</summary>
    private static object[] Times(string kind, string operation, int times, double? parameter = null) =>
        [new { kind, operation, times, parameter }];

    [Theory]
    [InlineData(HailuoProvider.CoreToday, "ServerError", "Status", 3)]
    [InlineData(HailuoProvider.Replicate, "RateLimit", "Status", 2)]
    [InlineData(HailuoProvider.MiniMax, "RateLimit", "Status", 2)]
    [InlineData(HailuoProvider.Cloudflare, "Reset", "Status", 2)]
    [InlineData(HailuoProvider.CoreToday, "Truncate", "Status", 2)]
    [InlineData(HailuoProvider.Replicate, "Malformed", "Status", 2)]
    [InlineData(HailuoProvider.MiniMax, "ServerError", "Retrieve", 2)]
    [InlineData(HailuoProvider.Replicate, "Drop", "Status", 2)]
    public async Task Reads_are_retried_through_faults(HailuoProvider provider, string kind, string operation, int times)
    {
        // Cloudflare's status reads are its Batch API's; its documented run has none.
        var (h, client) = await StartAsync(provider, "", o => o.CloudflareBatch = true);
        await using var _ = h;
        await h.Emulator.SetFaultsAsync(Times(kind, operation, times));

        var job = await client.SubmitAsync(EngineHarness.Request("Through the storm"));
        var done = await client.WaitAsync(job, TimeSpan.FromSeconds(30));
        Assert.Equal(JobStatus.Succeeded, done.Status);
        await client.DownloadAsync(done, Path.Combine(h.Folder, "video.mp4"));

        var stats = await h.StatsAsync(provider);
        Assert.Equal(1, Count(stats, "creates"));
        Assert.Equal(0, Count(stats, "duplicateCreates"));
        Assert.Equal(times, Count(stats, "faultsInjected"));
    }

    [Theory]
    [InlineData(HailuoProvider.CoreToday, "ServerError", 2)]
    [InlineData(HailuoProvider.Replicate, "RateLimit", 2)]
    [InlineData(HailuoProvider.MiniMax, "RateLimit", 1)]
    [InlineData(HailuoProvider.Cloudflare, "ServerError", 1)]
    [InlineData(HailuoProvider.CoreToday, "Reset", 2)]
    [InlineData(HailuoProvider.Replicate, "Reset", 1)]
    [InlineData(HailuoProvider.MiniMax, "Reset", 1)]
    public async Task A_create_the_provider_declined_or_never_read_is_retried_and_paid_once(HailuoProvider provider, string kind, int times)
    {
        var (h, client) = await StartAsync(provider, "");
        await using var _ = h;
        await h.Emulator.SetFaultsAsync(Times(kind, "Create", times));

        var job = await client.SubmitAsync(EngineHarness.Request("Declined at first"));

        Assert.NotEmpty(job.Id);
        var stats = await h.StatsAsync(provider);
        Assert.Equal(1, Count(stats, "creates"));
        Assert.Equal(times + 1, Count(stats, "createRequests"));
        Assert.Equal(0, Count(stats, "duplicateCreates"));
    }

    [Theory]
    [InlineData(HailuoProvider.CoreToday)]
    [InlineData(HailuoProvider.MiniMax)]
    public async Task A_create_whose_answer_is_lost_is_never_resubmitted(HailuoProvider provider)
    {
        var (h, client) = await StartAsync(provider, "create:drop=1");
        await using var _ = h;
        var request = EngineHarness.Request("Lost in transit");

        var error = await Assert.ThrowsAsync<HailuoException>(() => client.SubmitAsync(request));
        Assert.Equal(HailuoErrorKind.OutcomeUnknown, error.Error.Kind);
        Assert.Equal(HailuoRemedy.CheckDashboardOrForce, error.Error.Remedy);

        var stats = await h.StatsAsync(provider);
        Assert.Equal(1, Count(stats, "createRequests"));
        Assert.Equal(1, Count(stats, "creates"));

        // Running the same input again reports the unknown outcome instead of paying again.
        await h.Emulator.SetFaultsAsync("");
        var again = await Assert.ThrowsAsync<HailuoException>(() => client.SubmitAsync(request));
        Assert.Equal(HailuoErrorKind.OutcomeUnknown, again.Error.Kind);
        Assert.Equal(1, Count(await h.StatsAsync(provider), "createRequests"));

        // -Force decides.
        var forced = await client.SubmitAsync(request, new SubmitOptions { Force = true });
        Assert.NotEmpty(forced.Id);
        Assert.Equal(2, Count(await h.StatsAsync(provider), "creates"));
    }

    [Fact]
    public async Task A_lost_create_at_a_provider_that_lists_its_jobs_says_a_re_run_settles_it()
    {
        // The client's clock, the ledger's stamps with it, moves only when the test says: the settle time passes at once.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (h, client) = await StartAsync(HailuoProvider.Replicate, "create:drop=1", o =>
        {
            o.CreateSettleTime = TimeSpan.FromSeconds(300);
            o.TimeProvider = clock;
        });
        await using var _ = h;
        var request = EngineHarness.Request("Lost at Replicate");

        var error = await Assert.ThrowsAsync<HailuoException>(() => client.SubmitAsync(request));
        Assert.Equal(HailuoErrorKind.OutcomeUnknown, error.Error.Kind);
        Assert.Equal(HailuoRemedy.RunAgainToSettle, error.Error.Remedy);
        Assert.NotNull(error.Error.SettlesAt);

        // What the advice says: the run after the settle time finds the job the dropped answer made, and pays nothing.
        await h.Emulator.SetFaultsAsync("");
        clock.Advance(TimeSpan.FromSeconds(301));
        var found = await client.SubmitAsync(request);
        Assert.NotEmpty(found.Id);
        var stats = await h.StatsAsync(HailuoProvider.Replicate);
        Assert.Equal(1, Count(stats, "createRequests"));
        Assert.Equal(1, Count(stats, "creates"));
    }

    [Theory]
    [InlineData("create:truncate=1")]
    [InlineData("create:malformed=1")]
    public async Task A_create_whose_answer_is_damaged_keeps_the_job_it_names(string faults)
    {
        var (h, client) = await StartAsync(HailuoProvider.CoreToday, faults);
        await using var _ = h;

        var job = await client.SubmitAsync(EngineHarness.Request("Damaged answer"));
        await h.Emulator.SetFaultsAsync("");
        var done = await client.WaitAsync(job, TimeSpan.FromSeconds(30));

        Assert.Equal(JobStatus.Succeeded, done.Status);
        var stats = await h.StatsAsync(HailuoProvider.CoreToday);
        Assert.Equal(1, Count(stats, "createRequests"));
        Assert.Equal(1, Count(stats, "creates"));
    }

    [Theory]
    [InlineData(HailuoProvider.CoreToday, HailuoErrorKind.InsufficientCredits)]
    [InlineData(HailuoProvider.MiniMax, HailuoErrorKind.InsufficientCredits)]
    [InlineData(HailuoProvider.Replicate, HailuoErrorKind.InsufficientCredits)]
    [InlineData(HailuoProvider.Cloudflare, HailuoErrorKind.InsufficientCredits)]
    public async Task Final_errors_are_not_retried_and_say_what_to_do(HailuoProvider provider, HailuoErrorKind kind)
    {
        var (h, client) = await StartAsync(provider, "credits=1");
        await using var _ = h;

        var error = await Assert.ThrowsAsync<HailuoException>(() => client.SubmitAsync(EngineHarness.Request("No money")));

        Assert.Equal(kind, error.Error.Kind);
        Assert.Equal(HailuoRemedy.TopUp, error.Error.Remedy);
        Assert.Equal(1, Count(await h.StatsAsync(provider), "createRequests"));
    }

    [Theory]
    [InlineData(HailuoProvider.CoreToday)]
    [InlineData(HailuoProvider.MiniMax)]
    [InlineData(HailuoProvider.Replicate)]
    [InlineData(HailuoProvider.Cloudflare)]
    public async Task A_wrong_key_is_an_authentication_error_sent_once(HailuoProvider provider)
    {
        await using var h = await EngineHarness.StartAsync(configure: o => o.ApiKey = "the-right-key");
        var client = h.Client(provider);

        var error = await Assert.ThrowsAsync<HailuoException>(() => client.SubmitAsync(EngineHarness.Request("Wrong key")));

        Assert.Equal(HailuoErrorKind.Authentication, error.Error.Kind);
        Assert.Equal(HailuoRemedy.CheckKey, error.Error.Remedy);
        Assert.Equal(1, Count(await h.StatsAsync(provider), "createRequests"));
    }

    [Fact]
    public async Task Retries_are_bounded()
    {
        var (h, client) = await StartAsync(HailuoProvider.CoreToday, "", o => o.MaxRetries = 3);
        await using var _ = h;
        var job = await client.SubmitAsync(EngineHarness.Request("Unlucky"));
        client.Tracker.Forget(job.Id);
        await h.Emulator.SetFaultsAsync("status:5xx=1");
        var pollsBefore = Count(await h.StatsAsync(HailuoProvider.CoreToday), "statusPolls");

        var error = await Assert.ThrowsAsync<HailuoException>(() => client.RefreshAsync(job));

        Assert.Equal(HailuoErrorKind.Transient, error.Error.Kind);
        Assert.Equal(pollsBefore + 4, Count(await h.StatsAsync(HailuoProvider.CoreToday), "statusPolls"));
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_and_the_read_is_retried()
    {
        // One real second per attempt (the timeout is not scaled), well under the 3 s the server holds back.
        var (h, client) = await StartAsync(HailuoProvider.Replicate, "", o => o.AttemptTimeout = TimeSpan.FromSeconds(1));
        await using var _ = h;
        var job = await client.SubmitAsync(EngineHarness.Request("Patience"));
        client.Tracker.Forget(job.Id);
        await h.Emulator.SetFaultsAsync(Times("Slow", "Status", 1, parameter: 3000));

        var read = await client.RefreshAsync(job);

        Assert.Equal(job.Id, read.Id);
        Assert.Contains(h.LogLines, line => line.Contains($"retry 1 of GET", StringComparison.Ordinal) && line.Contains(job.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_expired_link_is_refreshed_during_the_download()
    {
        var (h, client) = await StartAsync(HailuoProvider.MiniMax, "");
        await using var _ = h;
        await h.Emulator.SetFaultsAsync(Times("Expire", "Download", 1));
        var done = await client.WaitAsync(await client.SubmitAsync(EngineHarness.Request("Expiring")), TimeSpan.FromSeconds(30));

        var result = await client.DownloadAsync(done, Path.Combine(h.Folder, "fresh.mp4"));

        Assert.Equal(1, result.Refreshes);
        Assert.Equal(2, Count(await h.StatsAsync(HailuoProvider.MiniMax), "retrieves"));
    }

    [Fact]
    public async Task A_broken_download_is_resumed()
    {
        var (h, client) = await StartAsync(HailuoProvider.CoreToday, "");
        await using var _ = h;
        var done = await client.WaitAsync(await client.SubmitAsync(EngineHarness.Request("Broken")), TimeSpan.FromSeconds(30));
        await h.Emulator.SetFaultsAsync(Times("Truncate", "Download", 1));

        var result = await client.DownloadAsync(done, Path.Combine(h.Folder, "resumed.mp4"));

        Assert.Equal(2, result.Attempts);
        Assert.True(result.BytesTransferred < result.Length * 2);
        Assert.Equal(result.Length, new FileInfo(result.Path).Length);
    }
}
