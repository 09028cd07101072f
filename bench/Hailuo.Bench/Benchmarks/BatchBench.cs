namespace Hailuo.Bench.Benchmarks;

/// <summary>
/// Figure 1: each workload's batch, submit → wait → download, against the shortest batch its own jobs allowed: the
/// module (a first batch, and the next one with its ledger) beside fixed pollers at 0.5 s, 5 s and 20 s, all from one
/// run of <see cref="WorkloadMatrix"/>.
/// </summary>
public sealed class BatchBench : IBenchmark
{
    public const double WallGoal = 1.05;

    public string Id => "batch";

    public string Title => "1. Batch wall time, submit → wait → download, on each workload: the module against fixed pollers";

    public async Task<Section> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var runs = await WorkloadMatrix.RunsAsync(context, cancellationToken);
        var section = new Section(Id, Title);
        foreach (var run in runs)
        {
            var ratio = run.Ratio;
            section.Add(new Figure(
                $"{run.Workload.Name} (N = {run.Workload.Jobs}, C = {run.Workload.Concurrency}): {run.Client}",
                $"{run.Wall:N0} s",
                $"{run.Bound:N0} s",
                $"{ratio:0.000}",
                run.IsModule ? $"≤ {WallGoal:0.00}" : "(reported)",
                run.IsModule ? ratio <= WallGoal : null,
                $"by {run.Wall - (WallGoal * run.Bound):N0} s ({(ratio - WallGoal) * 100:0.0} % of the bound); see the notes"));
        }
        section.Note("The bound is the shortest batch the run's own jobs allowed: in creation order, each started as soon as one of the " +
            "provider's C slots was free and its create rate (Replicate's 600 a minute) allowed, and ran the time the emulator drew for it. " +
            "Every client got the same jobs: each ran on an emulator of its own with the same seed, which draws the n-th job's time the same. " +
            "Wall time runs from before the first create to the moment the client knew the last job's outcome and had its video on disk.");
        section.Note("The module runs as the cmdlets do: New-HailuoVideo's cap on pending creates, one shared tracker, Save-HailuoVideo's " +
            "downloads, a ledger, and Replicate's default cap on jobs in flight (900, above every batch here), so the provider's own queue " +
            "starts each next job the moment a slot frees. The fixed pollers create every job, then read each one on a steady beat from its " +
            "create until it is final, and download its video: a tick refused with a 429 is a tick missed.");
        foreach (var missed in runs.Where(r => r.IsModule && r.Ratio > WallGoal))
        {
            section.Note($"**{missed.Workload.Name}, {missed.Client}** misses by {(missed.Ratio - WallGoal) * 100:0.0} % of the bound: the batch ends " +
                $"when its last job is noticed, {missed.SuccessDelays.Concat(missed.RefusalDelays).DefaultIfEmpty(0).Max():0.0} s at worst after it " +
                $"finished, against a bound of {missed.Bound:N0} s; see figure 2 for how late jobs were noticed.");
        }
        return section;
    }
}
