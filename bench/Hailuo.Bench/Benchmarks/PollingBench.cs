using System.Diagnostics;
using Hailuo.Emulator;

namespace Hailuo.Bench.Benchmarks;

/// <summary>
/// Figure 2: status calls per job, how late completion is noticed, and how much of the read limit is
/// used, for the adaptive tracker against fixed-interval polling. Every strategy gets the same
/// workload on an emulator of its own: N jobs submitted at once, run C at a time, so that half of
/// them queue first, as in a real batch.
/// </summary>
public sealed class PollingBench : IBenchmark
{
    public string Id => "polling";

    public string Title => "2. Status calls and detection latency: adaptive tracker vs fixed intervals";

    private sealed record Result(string Name, List<double> Calls, List<double> Delays, long Requests, long Refused, long PeakPerMinute, double Minutes, double JobMinutes);

    public async Task<Section> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        // A coarser scale than the batch: 0.5 s polling must stay an honest 0.5 s (50 ms real), not a busy loop.
        var (jobs, concurrency, scale) = context.Quick ? (6, 3, 0.002) : (50, 25, 0.1);
        var readLimit = new EmulatorOptions().RateLimits["replicate.read"];
        var results = new List<Result>
        {
            await AdaptiveAsync(context, jobs, concurrency, scale, cancellationToken),
        };
        foreach (var interval in new[] { 0.5, 5, 20 })
        {
            results.Add(await FixedAsync(context, interval, jobs, concurrency, scale, cancellationToken));
        }

        var section = new Section(Id, Title);
        var adaptive = results[0];
        var five = results.Single(r => r.Name == "fixed 5 s");
        foreach (var r in results)
        {
            var isAdaptive = r == adaptive;
            var callRatio = r.Calls.Average() / five.Calls.Average();
            section.Add(new Figure(
                $"{r.Name}: status requests per job",
                $"mean {r.Calls.Average():0.0}, p95 {Lab.Percentile(r.Calls, 95):0}",
                r == five ? "(the reference)" : $"fixed 5 s: mean {five.Calls.Average():0.0}",
                $"{callRatio:0.00}",
                isAdaptive ? "≤ 0.50" : "(reported)",
                isAdaptive ? callRatio <= 0.5 : null,
                $"{callRatio:0.00} of 5 s polling's calls, not ≤ 0.50"));
            var p95 = Lab.Percentile(r.Delays, 95);
            var fiveP95 = Lab.Percentile(five.Delays, 95);
            section.Add(new Figure(
                $"{r.Name}: detection delay (completion → noticed)",
                $"p95 {p95:0.00} s (mean {r.Delays.Average():0.00} s, max {r.Delays.Max():0.00} s)",
                r == five ? "(the reference)" : $"fixed 5 s: p95 {fiveP95:0.00} s",
                $"{p95 / fiveP95:0.00}",
                isAdaptive ? "≤ 1.00" : "(reported)",
                isAdaptive ? p95 <= fiveP95 : null,
                $"p95 {p95 - fiveP95:0.00} s later than 5 s polling's"));
            var perJobMinute = r.Requests / r.JobMinutes;
            section.Add(new Figure(
                $"{r.Name}: reads per minute (budget left for everything else)",
                $"peak {r.PeakPerMinute:N0}/min, mean {r.Requests / r.Minutes:N0}/min; refused with 429: {r.Refused:N0}",
                $"Replicate's read limit: {readLimit:N0}/min",
                $"{r.PeakPerMinute / (double)readLimit:P0} of the limit",
                "(reported)",
                null));
            section.Note($"**{r.Name}** leaves {Math.Max(0, readLimit - r.PeakPerMinute):N0} reads/min at its peak for cancels, refreshes and other clients; at " +
                $"{perJobMinute:0.00} reads per job-minute it could watch about {readLimit / perJobMinute:N0} jobs at once within {readLimit:N0}/min " +
                $"(on a provider with one shared limit, such as Cloudflare's 300/min, every read is a create not sent).");
        }
        section.Note($"Workload: {jobs} jobs submitted at once, {concurrency} run at a time (the rest queue for one generation), 2-minute mean ±10 %, " +
            $"time scale {scale}; each strategy on a fresh emulator. Status requests are counted by the emulator (the adaptive tracker's) or by the " +
            "poller itself (the fixed ones, 429s included); the delay is from the emulator's completedAt to the tracker's Transitioned event, or to the " +
            "fixed poller's read that saw the final status. Fixed pollers use plain HttpClient and simply skip a tick that is refused.");
        return section;
    }

    private static async Task<Result> AdaptiveAsync(BenchContext context, int count, int concurrency, double scale, CancellationToken cancellationToken)
    {
        context.Log("   adaptive tracker");
        await using var server = await Lab.StartEmulatorAsync(scale, o => o.Concurrency[Lab.ProviderName] = concurrency);
        var sampler = Sample(server, scale);
        var options = Lab.ClientOptions(server.BaseUri, scale, Path.Combine(Lab.Folder(context, "adaptive"), "ledger.jsonl"));
        options.MaxJobsInFlight = Math.Max(options.MaxJobsInFlight, count); // all submitted at once, as the fixed pollers do
        using var client = new HailuoClient(options);
        var noticed = Lab.RecordFinalNotices(client);
        var clock = Stopwatch.StartNew();
        var submitted = await Task.WhenAll(Enumerable.Range(1, count).Select(i => client.SubmitAsync(Lab.Request("adaptive", i), null, cancellationToken)));
        await Task.WhenAll(submitted.Select(j => client.WaitAsync(j, null, cancellationToken)));
        clock.Stop();
        await sampler.DisposeAsync();
        var jobs = Lab.Jobs(server);
        var stats = Lab.Stats(server);
        return new Result("adaptive tracker",
            jobs.Select(j => (double)j.Polls).ToList(),
            jobs.Select(j => (noticed[j.Id] - j.CompletedAt!.Value).TotalSeconds / scale).ToList(),
            stats.StatusPolls, stats.RateLimited, sampler.PeakOver(TimeSpan.FromSeconds(60 * scale)),
            clock.Elapsed.TotalMinutes / scale,
            jobs.Sum(j => (noticed[j.Id] - j.CreatedAt).TotalMinutes) / scale);
    }

    private static async Task<Result> FixedAsync(BenchContext context, double intervalSeconds, int count, int concurrency, double scale, CancellationToken cancellationToken)
    {
        var name = $"fixed {intervalSeconds:0.#} s";
        context.Log($"   {name}");
        await using var server = await Lab.StartEmulatorAsync(scale, o => o.Concurrency[Lab.ProviderName] = concurrency);
        var sampler = Sample(server, scale);
        using var plain = new PlainReplicate(server.BaseUri);
        var interval = TimeSpan.FromSeconds(intervalSeconds * scale);
        var clock = Stopwatch.StartNew();
        var watchers = new List<Task<(string Id, int Calls, DateTimeOffset Noticed)>>();
        for (var i = 1; i <= count; i++)
        {
            watchers.Add(WatchAsync(await plain.CreateAsync(Lab.Request(name, i).Prompt!, cancellationToken)));
        }
        var watched = await Task.WhenAll(watchers);
        clock.Stop();
        await sampler.DisposeAsync();
        var jobs = Lab.Jobs(server).ToDictionary(j => j.Id, StringComparer.Ordinal);
        return new Result(name,
            watched.Select(w => (double)w.Calls).ToList(),
            watched.Select(w => (w.Noticed - jobs[w.Id].CompletedAt!.Value).TotalSeconds / scale).ToList(),
            Lab.Stats(server).StatusPolls, Lab.Stats(server).RateLimited, sampler.PeakOver(TimeSpan.FromSeconds(60 * scale)),
            clock.Elapsed.TotalMinutes / scale,
            watched.Sum(w => (w.Noticed - jobs[w.Id].CreatedAt).TotalMinutes) / scale);

        // One job's poller: a read every interval from its create, on a fixed beat that does not drift.
        async Task<(string Id, int Calls, DateTimeOffset Noticed)> WatchAsync(string id)
        {
            var beat = Stopwatch.StartNew();
            var calls = 0;
            for (var tick = 1; ; tick++)
            {
                var wait = interval * tick - beat.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }
                calls++;
                var state = await plain.GetAsync(id, cancellationToken);
                if (state.IsFinal)
                {
                    return (id, calls, DateTimeOffset.UtcNow);
                }
            }
        }
    }

    /// <summary>Status requests the emulator has counted, sampled 30 times per emulated minute.</summary>
    private static CounterSampler Sample(EmulatorServer server, double scale) =>
        new(() => Interlocked.Read(ref Lab.Stats(server).StatusPolls), TimeSpan.FromMilliseconds(Math.Max(5, 60_000 * scale / 30)));
}
