using Hailuo.Models;
using Hailuo.Tracking;
using Xunit.Abstractions;
using static Hailuo.Tests.Engine.Client.TrackerSimulation;

namespace Hailuo.Tests.Engine.Client;

/// <summary>
/// The tracker on the shape of each workload the benchmark runs (docs/benchmarks.md, figures 1 and 2), on a clock of
/// the test's own: a batch of minutes in milliseconds, the same every time. Each holds the issue's goals against a
/// 5 s poller on the same jobs: notice a success no later (p95), a refusal within 5 s, and spend fewer status calls.
/// "Cold" is a first batch with nothing learned (the published 30-90 s range alone); "warm" follows an earlier
/// batch of the same kind, as the ledger tells a new session.
/// </summary>
public sealed class TrackerWorkloadTests(ITestOutputHelper output)
{
    private static readonly Workload Published = new("published 30-90 s", 60, 20, (_, r) => Uniform(r, 30, 90));
    private static readonly Workload Fast = new("fast 3-10 s, every 5th refused at 2 s", 200, 10, (_, r) => Uniform(r, 3, 10)) { RefuseEvery = 5 };
    private static readonly Workload SlowQueued = new("slow 2-10 min (log-normal), four waves", 40, 10, (_, r) => LogNormal(r, 120, 600));
    private static readonly Workload Narrow = new("narrow 2 min ±10 %", 60, 20, (_, r) => Uniform(r, 108, 132));
    private static readonly Workload SlowerHalfway = new("30-90 s, then 3x slower", 60, 20, (i, r) => Uniform(r, 30, 90) * (i >= 30 ? 3 : 1));

    private const double Step = 4.5;

    private static double LogNormal(Random r, double p5, double p95)
    {
        var z = Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
        return Math.Exp(((Math.Log(p5) + Math.Log(p95)) / 2) + (z * (Math.Log(p95) - Math.Log(p5)) / (2 * 1.6449)));
    }

    /// <summary>What an earlier batch of <paramref name="took"/> left in the ledger: the window's worth of finished jobs.</summary>
    private static Action<JobTracker> Learned(Func<int, Random, double> took, bool fromStart = true) => tracker =>
    {
        var random = new Random(1000);
        for (var i = 0; i < DurationModel.Window; i++)
        {
            tracker.Durations.Observe(new JobKind(HailuoProvider.Replicate, HailuoModels.Standard, "768p", 6, fromStart), TimeSpan.FromSeconds(took(i, random)));
        }
    };

    private async Task<Outcome> Run(Workload workload, Action<JobTracker>? learned = null)
    {
        var outcome = await RunAsync(workload, learned);
        output.WriteLine($"{workload.Name}{(learned is null ? "" : ", learned before")}: {outcome}");
        return outcome;
    }

    private static void AssertNoticedNoLater(Outcome o, double slack = 0) =>
        Assert.True(o.P95 <= o.PollerP95 + slack, $"p95 {o.P95:0.00} s against the 5 s poller's {o.PollerP95:0.00} s");

    private static void AssertReadsAtMost(Outcome o, double share) =>
        Assert.True(o.Reads <= share * o.PollerReads, $"{o.Reads:0.00} reads a job against the 5 s poller's {o.PollerReads:0.00}: more than {share:0.##} of them");

    [Fact]
    public async Task Published_range_in_a_first_batch_is_noticed_as_soon_as_by_a_5_s_poller_for_under_0_8_of_its_calls()
    {
        var o = await Run(Published);
        AssertNoticedNoLater(o);
        AssertReadsAtMost(o, 0.8);
    }

    [Fact]
    public async Task Fast_jobs_and_refusals_at_2_s_with_a_prior_ten_times_too_long_are_noticed_within_5_s_for_no_more_calls()
    {
        // The published range says 30-90 s; these take 3-10 s, and every 5th is refused 2 s after it starts.
        var o = await Run(Fast);
        Assert.True(o.RefusalDelays.Max() <= 5, $"a refusal noticed {o.RefusalDelays.Max():0.00} s after it came");
        AssertNoticedNoLater(o);
        AssertReadsAtMost(o, 1);
    }

    [Fact]
    public async Task A_prior_ten_times_too_long_learns_from_the_first_look()
    {
        var o = await Run(new Workload("3-9 s, all at once", 20, 20, (_, r) => Uniform(r, 3, 9)));
        AssertNoticedNoLater(o);
        AssertReadsAtMost(o, 1);
    }

    [Fact]
    public async Task A_prior_ten_times_too_short_notices_as_soon_as_a_5_s_poller_for_fewer_calls()
    {
        var o = await Run(new Workload("300-900 s, all at once", 20, 20, (_, r) => Uniform(r, 300, 900)));
        AssertNoticedNoLater(o);
        AssertReadsAtMost(o, 0.9);
    }

    [Fact]
    public async Task Slow_queued_jobs_cost_under_half_a_5_s_pollers_calls_first_batch_or_not()
    {
        var cold = await Run(SlowQueued);
        AssertNoticedNoLater(cold);
        AssertReadsAtMost(cold, 0.5);
        var warm = await Run(SlowQueued, Learned((_, r) => LogNormal(r, 120, 600)));
        AssertNoticedNoLater(warm);
        AssertReadsAtMost(warm, 0.5);
    }

    [Fact]
    public async Task Narrow_jobs_once_learned_cost_under_half_a_5_s_pollers_calls()
    {
        var o = await Run(Narrow, Learned((_, r) => Uniform(r, 108, 132)));
        AssertNoticedNoLater(o);
        AssertReadsAtMost(o, 0.5);
    }

    [Fact]
    public async Task A_provider_that_gets_three_times_slower_halfway_is_followed()
    {
        var o = await Run(SlowerHalfway);
        AssertNoticedNoLater(o);
        AssertReadsAtMost(o, 0.8);
    }

    [Fact]
    public async Task A_provider_that_gets_three_times_faster_than_the_ledger_says_is_followed_within_a_read()
    {
        // The last batch took 90-270 s; this one takes 30-90 s. The staggered reads before the window find the first
        // finishes within seconds, and every job is planned again.
        var o = await Run(Published, Learned((_, r) => Uniform(r, 90, 270)));
        AssertNoticedNoLater(o);
        Assert.True(o.SuccessDelays.Max() <= 2 * Step, $"a job noticed {o.SuccessDelays.Max():0.00} s late");
    }

    [Fact]
    public async Task Without_start_times_jobs_are_timed_from_their_create()
    {
        // MiniMax reports no times: the queue counts as part of each job.
        var o = await Run(new Workload("30-90 s, no times reported", 20, 20, (_, r) => Uniform(r, 30, 90)) { ReportsStart = false });
        AssertNoticedNoLater(o);
        AssertReadsAtMost(o, 0.8);
    }

    [Fact]
    public async Task A_job_that_waited_in_the_queue_is_timed_from_its_own_started_at()
    {
        // One slot: the second job waits about a minute for the first, then runs; a tracker that timed it from its
        // create would look too early and miss nothing, one that ignored the queue would look a minute too late.
        var o = await Run(new Workload("one slot", 6, 1, (_, r) => Uniform(r, 60, 70)), Learned((_, r) => Uniform(r, 60, 70)));
        Assert.True(o.SuccessDelays.Max() <= Step + 0.01, $"a queued job noticed {o.SuccessDelays.Max():0.00} s late");
        // While queued, about a read per shortest generation (about 60 s): the last job waits five generations.
        Assert.True(o.ReadsPerJob.Max() <= 3 + 5 + Math.Ceiling(10 / Step) + 1, $"{o.ReadsPerJob.Max()} reads for the job that waited longest");
    }
}
