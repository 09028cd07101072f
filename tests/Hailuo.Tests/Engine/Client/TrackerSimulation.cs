using Hailuo.Models;
using Hailuo.Tracking;
using Microsoft.Extensions.Time.Testing;

namespace Hailuo.Tests.Engine.Client;

/// <summary>
/// A batch of jobs at a provider on a clock of the test's own: created at the provider's create rate, started in
/// order as its slots free (the rest wait in its queue), run for drawn times, some refused seconds after they start.
/// The real <see cref="JobTracker"/> reads them, step by step (<see cref="JobTracker.PollDueAsync"/>), so a batch of
/// minutes runs in milliseconds and comes out the same every time. What it measures is what the benchmark reports;
/// a 5 s poller that reads each job from its create on is worked out alongside, on the same jobs.
/// </summary>
internal static class TrackerSimulation
{
    public sealed record Workload(string Name, int Jobs, int Concurrency, Func<int, Random, double> Duration)
    {
        /// <summary>Every so many jobs (5: every 5th) is refused <see cref="RefusedAfter"/> seconds after it starts; 0: none.</summary>
        public int RefuseEvery { get; init; }

        public double RefusedAfter { get; init; } = 2;

        /// <summary>Whether status reads carry started_at and completed_at (Replicate, core.today), or no times at all (MiniMax).</summary>
        public bool ReportsStart { get; init; } = true;

        public double CreatesPerSecond { get; init; } = 10;

        public string Model { get; init; } = HailuoModels.Standard;

        public int Seed { get; init; } = 7;
    }

    public sealed record Outcome(
        List<double> SuccessDelays, List<double> RefusalDelays, List<double> ReadsPerJob,
        List<double> PollerSuccessDelays, List<double> PollerRefusalDelays, List<double> PollerReadsPerJob)
    {
        public double Reads => ReadsPerJob.Average();

        public double PollerReads => PollerReadsPerJob.Average();

        public double P95 => Percentile(SuccessDelays, 95);

        public double PollerP95 => Percentile(PollerSuccessDelays, 95);

        public override string ToString() =>
            $"reads {Reads:0.00} a job against the 5 s poller's {PollerReads:0.00} ({Reads / PollerReads:0.00}); detection p95 {P95:0.00} s against {PollerP95:0.00} s, max {SuccessDelays.DefaultIfEmpty().Max():0.00} s" +
            (RefusalDelays.Count > 0 ? $"; refusals noticed after max {RefusalDelays.Max():0.00} s (poller {PollerRefusalDelays.Max():0.00} s)" : "");
    }

    public static double Uniform(Random random, double low, double high) => low + (random.NextDouble() * (high - low));

    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private sealed record SimJob(int Index, double Created, double Started, double Ended, bool Refused);

    /// <summary>Runs the workload through a tracker; <paramref name="prepare"/> may teach it first (what an earlier session left in the ledger).</summary>
    public static async Task<Outcome> RunAsync(Workload workload, Action<JobTracker>? prepare = null, TrackerOptions? options = null)
    {
        var random = new Random(workload.Seed);
        var jobs = Schedule(workload, random);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero));
        var origin = clock.GetUtcNow();
        DateTimeOffset At(double seconds) => origin + TimeSpan.FromSeconds(seconds);
        var reads = new int[jobs.Count];
        var noticed = new double[jobs.Count];

        Task<HailuoJob> Poll(HailuoJob job, CancellationToken _)
        {
            var sim = jobs[int.Parse(job.Id.AsSpan(4))];
            reads[sim.Index]++;
            var now = (clock.GetUtcNow() - origin).TotalSeconds;
            var started = workload.ReportsStart && now >= sim.Started ? At(sim.Started) : (DateTimeOffset?)null;
            if (now < sim.Started)
            {
                return Task.FromResult(job.With(status: JobStatus.Queued));
            }
            if (now < sim.Ended)
            {
                return Task.FromResult(job.With(status: JobStatus.Running, startedAt: started));
            }
            var completed = workload.ReportsStart ? At(sim.Ended) : (DateTimeOffset?)null;
            // The read that finds a job final is when the tracker notices it: it never reads a final job again.
            noticed[sim.Index] = now;
            return Task.FromResult(sim.Refused
                ? job.With(status: JobStatus.Failed, startedAt: started, completedAt: completed,
                    error: new HailuoError(HailuoErrorKind.ContentFiltered, "refused"))
                : job.With(status: JobStatus.Succeeded, startedAt: started, completedAt: completed));
        }

        options ??= new TrackerOptions();
        options.StartTimesReported = workload.ReportsStart;
        using var tracker = new JobTracker(Poll, options, clock, null, runLoop: false);
        prepare?.Invoke(tracker);
        var finals = new List<Task<HailuoJob>>();
        var next = 0;
        while (next < jobs.Count || finals.Any(f => !f.IsCompleted))
        {
            var due = tracker.NextDue;
            if (next < jobs.Count && (due is null || At(jobs[next].Created) <= due))
            {
                clock.SetUtcNow(At(jobs[next].Created));
                var job = new HailuoJob($"sim-{next}", HailuoProvider.Replicate, workload.Model, JobStatus.Queued).With(createdAt: clock.GetUtcNow());
                finals.Add(tracker.Track(job));
                next++;
                continue;
            }
            if (due is null)
            {
                throw new InvalidOperationException("Jobs are not final, and the tracker has no read planned for any of them.");
            }
            clock.SetUtcNow(due.Value > clock.GetUtcNow() ? due.Value : clock.GetUtcNow());
            await tracker.PollDueAsync();
        }

        var outcome = new Outcome([], [], [], [], [], []);
        foreach (var job in jobs)
        {
            (job.Refused ? outcome.RefusalDelays : outcome.SuccessDelays).Add(noticed[job.Index] - job.Ended);
            outcome.ReadsPerJob.Add(reads[job.Index]);
            // The 5 s poller reads at create + 5, + 10, ... and sees the job final at the first read after it ended.
            var pollerReads = Math.Max(1, Math.Ceiling((job.Ended - job.Created) / 5));
            (job.Refused ? outcome.PollerRefusalDelays : outcome.PollerSuccessDelays).Add(job.Created + (pollerReads * 5) - job.Ended);
            outcome.PollerReadsPerJob.Add(pollerReads);
        }
        return outcome;
    }

    /// <summary>When each job is created, starts (first come, first served, as slots free) and ends.</summary>
    private static List<SimJob> Schedule(Workload workload, Random random)
    {
        var slots = new PriorityQueue<int, double>();
        for (var i = 0; i < workload.Concurrency; i++)
        {
            slots.Enqueue(i, 0);
        }
        var jobs = new List<SimJob>();
        for (var i = 0; i < workload.Jobs; i++)
        {
            var created = i / workload.CreatesPerSecond;
            slots.TryDequeue(out var slot, out var free);
            var started = Math.Max(created, free);
            var refused = workload.RefuseEvery > 0 && (i + 1) % workload.RefuseEvery == 0;
            var duration = workload.Duration(i, random);
            var ended = started + (refused ? workload.RefusedAfter : duration);
            slots.Enqueue(slot, ended);
            jobs.Add(new SimJob(i, created, started, ended, refused));
        }
        return jobs;
    }
}
