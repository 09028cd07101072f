using System.Collections.Concurrent;
using System.Diagnostics;
using Hailuo.Emulator;
using Hailuo.Emulator.Core;
using Hailuo.Models;

namespace Hailuo.Bench.Benchmarks;

/// <summary>One client on one workload: what figures 1 and 2 report. Times are emulated seconds.</summary>
public sealed record ClientRun(
    string Client, Workload Workload, double Wall, double Bound, double CallsPerJob,
    List<double> SuccessDelays, List<double> RefusalDelays, long PeakReadsPerMinute, double MeanReadsPerMinute, long RateLimited, double RealSeconds)
{
    public bool IsModule => Client.StartsWith("module", StringComparison.Ordinal);

    public double Ratio => Wall / Bound;
}

/// <summary>
/// Runs every client on every workload, each on an emulator of its own with the same seed, so that the n-th job
/// created takes the same time for all of them. The clients: the module's pipeline (New-HailuoVideo's cap on
/// pending creates, the shared tracker, Save-HailuoVideo's downloads, a ledger) in a first batch with an empty
/// ledger, then in a next batch with that ledger; and fixed pollers at 0.5 s, 5 s and 20 s, each reading every job
/// from its create on a steady beat, as replicate-python, MiniMax's CLI and its MCP server do. Figures 1 and 2 both
/// come from this one run; it is made once per process, whichever figure asks first.
/// </summary>
public static class WorkloadMatrix
{
    public const string FirstBatch = "module, first batch (empty ledger)";
    public const string NextBatch = "module, next batch (the first's ledger)";
    public static readonly double[] PollerIntervals = [0.5, 5, 20];

    public static string Poller(double interval) => $"fixed {interval:0.#} s poller";

    private static Task<IReadOnlyList<ClientRun>>? _runs;

    public static Task<IReadOnlyList<ClientRun>> RunsAsync(BenchContext context, CancellationToken cancellationToken) =>
        _runs ??= RunAllAsync(context, cancellationToken);

    private static async Task<IReadOnlyList<ClientRun>> RunAllAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var runs = new List<ClientRun>();
        foreach (var workload in Workload.All(context.Quick))
        {
            context.Log($"   workload {workload} ({workload.CommandLine}), time scale {workload.TimeScale}");
            var folder = Lab.Folder(context, "matrix-" + workload.Id);
            var first = Directory.CreateDirectory(Path.Combine(folder, "first")).FullName;
            runs.Add(await ModuleAsync(context, workload, FirstBatch, first, cancellationToken));
            var next = Directory.CreateDirectory(Path.Combine(folder, "next")).FullName;
            File.Copy(Path.Combine(first, "ledger.jsonl"), Path.Combine(next, "ledger.jsonl"));
            runs.Add(await ModuleAsync(context, workload, NextBatch, next, cancellationToken));
            foreach (var interval in PollerIntervals)
            {
                runs.Add(await PollerAsync(context, workload, interval, cancellationToken));
            }
        }
        return runs;
    }

    /// <summary>The module on a workload, with the ledger (and the videos) in <paramref name="folder"/>.</summary>
    private static async Task<ClientRun> ModuleAsync(BenchContext context, Workload workload, string name, string folder, CancellationToken cancellationToken)
    {
        context.Log($"     {name}");
        var scale = workload.TimeScale;
        await using var server = await Lab.StartEmulatorAsync(scale, workload.Configure);
        var sampler = Sample(server, scale);
        // The defaults, as the cmdlets run them: Replicate's cap on jobs in flight (900) is above every batch here.
        using var client = new HailuoClient(Lab.ClientOptions(server.BaseUri, Path.Combine(folder, "ledger.jsonl")));
        var real = Stopwatch.StartNew();
        var outcome = await CmdletBatch.RunAsync(client, $"{workload.Id} {name}", workload.Jobs, folder, cancellationToken);
        real.Stop();
        await sampler.DisposeAsync();
        if (outcome.Errors.Count > 0 || outcome.Downloaded + outcome.Refused != workload.Jobs)
        {
            throw new InvalidOperationException($"{name} on {workload.Id} did not complete: {outcome.Downloaded} downloaded, {outcome.Refused} refused of {workload.Jobs}; {string.Join("; ", outcome.Errors.Take(5))}");
        }
        return Measure(name, workload, server, sampler, outcome.Wall, id => outcome.Noticed[id], real.Elapsed);
    }

    private static async Task<ClientRun> PollerAsync(BenchContext context, Workload workload, double intervalSeconds, CancellationToken cancellationToken)
    {
        var name = Poller(intervalSeconds);
        context.Log($"     {name}");
        var scale = workload.TimeScale;
        await using var server = await Lab.StartEmulatorAsync(scale, workload.Configure);
        var sampler = Sample(server, scale);
        using var plain = new PlainReplicate(server.BaseUri);
        var folder = Lab.Folder(context, "poller");
        var interval = TimeSpan.FromSeconds(intervalSeconds * scale);
        var noticed = new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var real = Stopwatch.StartNew();
        var watchers = new List<Task>();
        for (var i = 1; i <= workload.Jobs; i++)
        {
            watchers.Add(WatchAsync(await plain.CreateAsync(Lab.Request(name, i).Prompt!, cancellationToken), i));
        }
        await Task.WhenAll(watchers);
        real.Stop();
        await sampler.DisposeAsync();
        return Measure(name, workload, server, sampler, real.Elapsed, id => noticed[id], real.Elapsed);

        // One job's poller: a read every interval from its create, on a fixed beat that does not drift; a refused
        // read is simply a tick missed. A finished job's video is downloaded.
        async Task WatchAsync(string id, int row)
        {
            var beat = Stopwatch.StartNew();
            for (var tick = 1; ; tick++)
            {
                var wait = interval * tick - beat.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }
                var state = await plain.GetAsync(id, cancellationToken);
                if (state.IsFinal)
                {
                    noticed[id] = DateTimeOffset.UtcNow;
                    if (state.Output is { } video)
                    {
                        await plain.DownloadAsync(video, Path.Combine(folder, $"{row}.mp4"), cancellationToken);
                    }
                    return;
                }
            }
        }
    }

    private static ClientRun Measure(string name, Workload workload, EmulatorServer server, CounterSampler sampler, TimeSpan wall,
        Func<string, DateTimeOffset> noticed, TimeSpan real)
    {
        var scale = workload.TimeScale;
        var jobs = Lab.Jobs(server);
        var stats = Lab.Stats(server);
        if (jobs.Count != workload.Jobs)
        {
            throw new InvalidOperationException($"{name} made {jobs.Count} jobs for {workload.Jobs} rows.");
        }
        var createsPerSecond = new EmulatorOptions().RateLimits[$"{Lab.ProviderName}.create"] / 60.0;
        double Late(EmulatedJob job) => (noticed(job.Id) - job.CompletedAt!.Value).TotalSeconds / scale;
        var minutes = wall.TotalMinutes / scale;
        return new ClientRun(name, workload,
            wall.TotalSeconds / scale,
            IdealMakespan(jobs, workload.Concurrency, createsPerSecond, scale),
            stats.StatusPolls / (double)jobs.Count,
            jobs.Where(j => j.State == JobState.Succeeded).Select(Late).ToList(),
            jobs.Where(j => j.State == JobState.Failed).Select(Late).ToList(),
            sampler.PeakOver(TimeSpan.FromSeconds(60 * scale)),
            stats.StatusPolls / minutes,
            stats.RateLimited,
            real.TotalSeconds);
    }

    /// <summary>
    /// The shortest batch these exact jobs allowed: in creation order, each starts as soon as a slot is free and the
    /// create rate allows it, and runs its own drawn time. Emulated seconds.
    /// </summary>
    private static double IdealMakespan(List<EmulatedJob> jobs, int concurrency, double createsPerSecond, double scale)
    {
        var slots = new PriorityQueue<int, double>();
        for (var i = 0; i < concurrency; i++)
        {
            slots.Enqueue(i, 0);
        }
        var makespan = 0.0;
        var k = 0;
        foreach (var job in jobs.OrderBy(j => j.CreatedAt))
        {
            var length = (job.CompletedAt!.Value - job.StartedAt!.Value).TotalSeconds / scale;
            slots.TryDequeue(out var slot, out var free);
            var start = Math.Max(free, k++ / createsPerSecond);
            slots.Enqueue(slot, start + length);
            makespan = Math.Max(makespan, start + length);
        }
        return makespan;
    }

    /// <summary>Status requests the emulator has counted (429s included), sampled 30 times per emulated minute.</summary>
    private static CounterSampler Sample(EmulatorServer server, double scale) =>
        new(() => Interlocked.Read(ref Lab.Stats(server).StatusPolls), TimeSpan.FromMilliseconds(Math.Max(5, 60_000 * scale / 30)));
}
