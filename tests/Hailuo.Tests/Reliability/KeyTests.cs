using Hailuo.Reliability;

namespace Hailuo.Tests.Reliability;

/// <summary>
/// Issue 12's short keys at a small size (the long version is <c>--only keys</c>): keys that occur in job ids and JSON,
/// and a long key, each echoed by the provider in every encoding into its error texts.
/// </summary>
[Collection(nameof(ReliabilityRuns))]
public sealed class KeyTests(KeyTests.Run run) : IClassFixture<KeyTests.Run>
{
    public static TheoryData<int> Cases => new() { 0, 1, 2, 3 };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_batch_ends_with_each_row_a_file_or_an_error_and_ids_as_the_provider_gave_them(int index)
    {
        var r = run.Result[index];
        Assert.True(r.EveryRowEnded,
            $"{r.Settings.Describe()}: ended {r.Ended} in {r.Seconds:0.0} s; unaccounted rows {string.Join(", ", r.Rows.Unaccounted)}; " +
            $"altered ids {string.Join(", ", r.AlteredIds)}; {r.Provider.DuplicateCreates} duplicate creates.");
        Assert.True(r.Rows.Saved.Count > 0, $"{r.Settings.Describe()}: no row was saved, so ids and downloads were not exercised.");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void No_form_of_the_echoed_key_is_in_any_record_log_line_the_ledger_or_a_file(int index)
    {
        var r = run.Result[index];
        Assert.True(r.Echoes > 0, $"{r.Settings.Describe()}: the provider never echoed the key, so the scan proves nothing.");
        Assert.True(r.Leaks.Count == 0, $"{r.Settings.Describe()}:\n" + string.Join("\n", r.Leaks.Take(10)));
    }

    /// <summary>"k", "a" and "0" on core.today, a long key on Replicate: run once for the tests above.</summary>
    public sealed class Run : ScenarioRuns<KeySettings, KeyResult>
    {
        protected override IEnumerable<KeySettings> Plan => KeySection.Plan(quick: true);

        protected override Task<KeyResult> RunOneAsync(KeySettings settings, string folder, CancellationToken cancellationToken) =>
            KeyScenario.RunAsync(settings, folder, cancellationToken);
    }
}
