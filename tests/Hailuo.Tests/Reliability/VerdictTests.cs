using Hailuo.Models;
using Hailuo.Reliability;

namespace Hailuo.Tests.Reliability;

/// <summary>
/// Issue 12's create verdicts at a small size (the long version is <c>--only verdicts</c>): rows under the heaviest
/// create-fault mix end "outcome unknown" only where the bytes that arrived cannot tell, and Replicate settles them.
/// </summary>
[Collection(nameof(ReliabilityRuns))]
public sealed class VerdictTests(VerdictTests.Run run) : IClassFixture<VerdictTests.Run>
{
    public static TheoryData<int> Cases => new() { 0, 1 };

    [Theory]
    [MemberData(nameof(Cases))]
    public void No_row_is_left_unknown_when_its_answer_proved_the_outcome(int index)
    {
        var r = run.Result[index];
        var wrong = r.Unknown.Where(u => u.Cause is UnknownCause.ProvablyDecided or UnknownCause.Unexplained).ToList();
        Assert.True(wrong.Count == 0, $"{r.Settings.Provider}: " + string.Join("\n", wrong.Select(u => $"row {u.Row} ({u.Cause}, paid {u.Paid}): {u.Message}")));
        var f = r.Provider.FaultsByKind;
        Assert.True(f.GetValueOrDefault("ServerError") > 0 && f.GetValueOrDefault("Truncate") + f.GetValueOrDefault("Malformed") > 0,
            "The fault mix did not reach the creates: " + string.Join(", ", f.Select(p => $"{p.Key} {p.Value}")));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_row_is_accounted_for_and_none_is_paid_twice(int index)
    {
        var r = run.Result[index];
        Assert.True(r.Provider.NonePaidTwice, $"{r.Settings.Provider}: {r.Provider.DuplicateCreates} duplicate creates.");
        Assert.True(r.Rows.Unaccounted.Count == 0 && r.Rows.SavedAndFailed.Count == 0, $"{r.Settings.Provider}: unaccounted {string.Join(", ", r.Rows.Unaccounted)}.");
        // What each row that did not end saved was told, beside the problems, so a failure shows the row's side too.
        Assert.True(r.Ledger.Problems.Count == 0, string.Join(Environment.NewLine, r.Ledger.Problems) + Environment.NewLine + "Rows not saved: " +
            string.Join(Environment.NewLine, r.Rows.Failed.Values.Where(f => f.Kind != nameof(HailuoErrorKind.OutcomeUnknown))
                .Select(f => $"row {f.Row} at {f.Stage}: {f.Kind}: {f.Message}")));
    }

    [Fact]
    public void Replicate_settles_every_row_left_unknown_when_the_same_command_runs_again()
    {
        var r = run.Result.Single(x => x.Settings.Provider == HailuoProvider.Replicate);
        Assert.NotNull(r.UnknownAfterRerun);
        Assert.True(r.UnknownAfterRerun!.Count == 0, $"Still unknown after {r.Reruns} more runs: rows {string.Join(", ", r.UnknownAfterRerun)}.");
        Assert.Equal(r.Settings.Rows, r.Rows.Saved.Count + r.Rows.Failed.Values.Count(f => f.Kind != nameof(HailuoErrorKind.OutcomeUnknown)));
    }

    /// <summary>core.today and Replicate side by side (both mostly wait on held answers and the clock), once for the tests above.</summary>
    public sealed class Run : ScenarioRun<IReadOnlyList<VerdictResult>>
    {
        protected override async Task<IReadOnlyList<VerdictResult>> RunAsync(string folder, CancellationToken cancellationToken) =>
            await Task.WhenAll(new[] { HailuoProvider.CoreToday, HailuoProvider.Replicate }.Select(provider =>
                VerdictScenario.RunAsync(new VerdictSettings(provider, 40), Directory.CreateDirectory(Path.Combine(folder, provider.ToString())).FullName, cancellationToken)));
    }
}
