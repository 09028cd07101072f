using Hailuo.Reliability;

namespace Hailuo.Tests.Reliability;

/// <summary>The soak of issue 6 part 1 at a small size: one batch under the issue's faults, then one test per requirement.</summary>
[Collection(nameof(ReliabilityRuns))]
public sealed class SoakTests(SoakTests.Run run) : IClassFixture<SoakTests.Run>
{
    private SoakResult Result => run.Result;

    [Fact]
    public void The_faults_were_really_injected()
    {
        var f = Result.Provider.FaultsByKind;
        Assert.True(f.GetValueOrDefault("ServerError") > 0 && f.GetValueOrDefault("RateLimit") > 0 && f.GetValueOrDefault("Reset") > 0,
            $"The batch did not meet 5xx, 429 and resets: {string.Join(", ", f.Select(p => $"{p.Key} {p.Value}"))}.");
        Assert.True(f.GetValueOrDefault("Truncate") + f.GetValueOrDefault("Expire") > 0, "No download was cut short or met an expired link.");
        Assert.True(Result.ApiRetries > 0, "No API call was retried, so the retry bound was never tested.");
    }

    [Fact]
    public void Every_job_is_downloaded_or_reported_failed_with_its_reason()
    {
        var rows = Result.Rows;
        Assert.True(Result.EveryRowAccountedFor,
            $"Rows with neither a file nor an error: {string.Join(", ", rows.Unaccounted)}. " +
            $"Rows both saved and reported failed: {string.Join(", ", rows.SavedAndFailed)}. " +
            $"Errors that name no row: {string.Join("; ", rows.Unattributed.Select(e => e.Message))}. " +
            $"Rows failed without a reason: {string.Join(", ", Result.FailuresWithoutReason.Select(f => $"{f.Row} ({f.Kind})"))}.");
        Assert.Equal(Result.Settings.Jobs, rows.Saved.Count + rows.Failed.Count);
    }

    [Fact]
    public void No_create_is_paid_twice()
    {
        var p = Result.Provider;
        Assert.True(p.DuplicateCreates == 0, $"The emulator counted {p.DuplicateCreates} creates of an input it had already made.");
        Assert.True(p.NonePaidTwice, $"The emulator made {p.Creates} jobs for {p.InputsCreated} distinct rows.");
    }

    [Fact]
    public void No_corrupt_or_partial_file_is_left()
    {
        var folder = Result.Folder;
        Assert.True(Result.OneWholeVideoPerSavedRow,
            $"Files that are not whole MP4s: {string.Join("; ", folder.Corrupt)}. " +
            $"Files that are not videos (temp or partial): {string.Join(", ", folder.Leftovers)}. " +
            $"{folder.Videos.Count} videos on disk for {Result.Rows.Saved.Count} saved rows.");
    }

    [Fact]
    public void Retries_of_each_api_request_stay_within_MaxRetries()
    {
        Assert.True(Result.ApiRetriesWithinBound, $"An API call was retried {Result.MaxApiRetries} times; MaxRetries is {Result.ApiRetryBound}.");
        Assert.True(Result.EveryApiRetryLogged,
            $"The transport counted {Result.ApiRetries} retries but logged {Result.ApiRetryNumbers.Count}: some retries went unseen.");
    }

    [Fact]
    public void Requests_of_each_download_stay_within_the_downloaders_bound()
    {
        Assert.True(Result.DownloadRequestsWithinBound,
            $"A download took {Result.MaxDownloadRequests} requests; MaxAttempts + MaxRefreshes is {Result.DownloadRequestBound}.");
        Assert.True(Result.DownloadRequestsMatchEmulator,
            $"The client counted {Result.DownloadRequests} download requests, the emulator served {Result.Provider.Downloads}.");
        Assert.True(Result.EverySavedVideoCounted,
            $"The client counted the downloads of {Result.DownloadRequestCounts.Count} videos for {Result.Rows.Saved.Count} saved rows.");
    }

    [Fact]
    public void The_ledger_agrees_with_the_provider_and_the_disk()
    {
        Assert.True(Result.Ledger.Consistent, string.Join(Environment.NewLine, Result.Ledger.Problems.Concat(Result.Ledger.Undecided)));
        Assert.Equal(Result.Settings.Jobs, Result.Ledger.Entries);
    }

    /// <summary>The batch, run once for all the tests above.</summary>
    public sealed class Run : ScenarioRun<SoakResult>
    {
        protected override Task<SoakResult> RunAsync(string folder, CancellationToken cancellationToken) =>
            SoakScenario.RunAsync(new SoakSettings(Jobs: 250, TimeScale: 0.002), folder, cancellationToken);
    }
}
