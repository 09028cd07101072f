using Hailuo.Reliability;

namespace Hailuo.Tests.Reliability;

/// <summary>
/// The crash test of issue 6 part 2 at a small size: the batch runs in a child process, is killed with SIGKILL five
/// times (during submit, wait and download) and run again each time; then one test per requirement.
/// </summary>
[Collection(nameof(ReliabilityRuns))]
public sealed class CrashResumeTests(CrashResumeTests.Run run) : IClassFixture<CrashResumeTests.Run>
{
    private CrashResult Result => run.Result;

    [Fact]
    public void At_least_five_kills_hit_submit_wait_and_download()
    {
        Assert.True(Result.Kills.Count >= 5, $"Only {Result.Kills.Count} kills: {string.Join(Environment.NewLine, Result.Log)}");
        Assert.All(Result.Kills, k => Assert.True(k.Hit.Contains(k.Target), $"Kill {k.Number} aimed at {k.Target} but hit {string.Join("+", k.Hit)}: {k.State}."));
        Assert.Equal([CrashPhase.Submit, CrashPhase.Wait, CrashPhase.Download], Result.PhasesHit);
    }

    [Fact]
    public void No_input_is_created_twice()
    {
        var p = Result.Provider;
        Assert.True(p.DuplicateCreates == 0, $"The emulator counted {p.DuplicateCreates} creates of an input it had already made.");
        Assert.True(p.Creates == Result.Settings.Rows, $"The emulator made {p.Creates} jobs for {Result.Settings.Rows} rows.");
    }

    [Fact]
    public void Every_video_ends_up_on_disk_whole()
    {
        var rows = Result.Rows;
        Assert.True(rows.Saved.Count == Result.Settings.Rows,
            $"{rows.Saved.Count} of {Result.Settings.Rows} rows saved; failed: {string.Join("; ", rows.Failed.Values.Select(f => $"row {f.Row}: {f.Message}"))}; " +
            $"unaccounted: {string.Join(", ", rows.Unaccounted)}.");
        Assert.True(Result.Folder.Clean, Result.Folder.Describe());
        Assert.Equal(Result.Settings.Rows, Result.Folder.Videos.Count);
    }

    [Fact]
    public void The_ledger_stays_readable_and_consistent()
    {
        Assert.True(Result.Ledger.Problems.Count == 0, string.Join(Environment.NewLine, Result.Ledger.Problems));
        Assert.True(Result.Ledger.Undecided.Count == 0, string.Join(Environment.NewLine, Result.Ledger.Undecided));
    }

    [Fact]
    public void Every_create_a_kill_left_unanswered_is_found_or_shown_never_to_have_arrived()
    {
        Assert.True(Result.OpenCreates > 0, "No kill caught a create in flight, so recovery was never exercised.");
        Assert.True(Result.StillOpen == 0, $"{Result.StillOpen} of {Result.OpenCreates} unanswered creates were never settled.");
        Assert.True(Result.FoundAtProvider > 0, "No unanswered create had reached the provider: the lookup that finds them was never exercised.");
        Assert.True(Result.Provider.Lists > 0, "The provider was never asked for its jobs.");
    }

    /// <summary>The kills and re-runs, once for all the tests above.</summary>
    public sealed class Run : IAsyncLifetime
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("hailuo-crash-").FullName;

        public CrashResult Result { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            Result = await CrashScenario.RunAsync(CrashSection.Short, _folder, deadline.Token);
        }

        public Task DisposeAsync()
        {
            Directory.Delete(_folder, recursive: true);
            return Task.CompletedTask;
        }
    }
}
