using Hailuo.Reliability;

namespace Hailuo.Tests.Reliability;

/// <summary>
/// Issue 12's two processes at a small size (the long version is <c>--only processes</c>): one CSV run by two child
/// processes at once, on one ledger and one output folder; on core.today started together, on Replicate a second apart.
/// </summary>
[Collection(nameof(ReliabilityRuns))]
public sealed class SharedLedgerTests(SharedLedgerTests.Run run) : IClassFixture<SharedLedgerTests.Run>
{
    public static TheoryData<int> Cases => new() { 0, 1 };

    [Theory]
    [MemberData(nameof(Cases))]
    public void No_input_is_paid_twice(int index)
    {
        var r = run.Result[index];
        Assert.True(r.Provider.NonePaidTwice && r.Provider.Creates == r.Settings.Rows,
            $"{r.Settings.Describe()}: {r.Provider.DuplicateCreates} duplicate creates, {r.Provider.Creates} jobs for {r.Settings.Rows} rows.");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_row_is_saved_once_and_each_process_reports_it_as_a_file(int index)
    {
        var r = run.Result[index];
        Assert.True(r.Folder.Clean && r.Folder.Videos.Count == r.Settings.Rows, $"{r.Settings.Describe()}: {r.Folder.Describe()}");
        Assert.All(r.RowsNotReportedOnce, (rows, process) => Assert.True(rows.Count == 0,
            $"{r.Settings.Describe()}: process {process + 1} did not report rows {string.Join(", ", rows)} as a file once. It wrote: {string.Join(" | ", r.Messages)}"));
        Assert.True(r.Ledger.Consistent, string.Join(Environment.NewLine, r.Ledger.Problems.Concat(r.Ledger.Undecided)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Neither_process_writes_an_error_or_a_warning(int index)
    {
        var r = run.Result[index];
        Assert.True(!r.Messages.Any(), $"{r.Settings.Describe()}, misleading: {r.Misleading.Count()}; all: {string.Join(" | ", r.Messages)}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void No_more_than_five_percent_of_the_video_bytes_are_downloaded_twice(int index)
    {
        var r = run.Result[index];
        Assert.True(r.RedundantShare <= SharedLedgerScenario.RedundantBound,
            $"{r.Settings.Describe()}: {r.RedundantBytes} bytes served beyond the {r.BytesOnDisk} on disk ({r.Provider.Downloads} downloads for {r.Settings.Rows} videos).");
    }

    /// <summary>The two cases, run once for the tests above.</summary>
    public sealed class Run : ScenarioRuns<SharedLedgerSettings, SharedLedgerResult>
    {
        protected override IEnumerable<SharedLedgerSettings> Plan => SharedLedgerSection.Plan(quick: true);

        protected override Task<SharedLedgerResult> RunOneAsync(SharedLedgerSettings settings, string folder, CancellationToken cancellationToken) =>
            SharedLedgerScenario.RunAsync(settings, folder, cancellationToken);
    }
}
