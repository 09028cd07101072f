using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Hailuo.Emulator;
using Hailuo.Ledger;
using Hailuo.Models;
using Hailuo.Tracking;

namespace Hailuo.Bench.Benchmarks;

/// <summary>
/// Figure 4: a 10,000-job batch (the client's peak memory and CPU per job) and a 100,000-job ledger
/// (a filtered listing, and whether finding an identical input slows as the ledger grows).
/// </summary>
/// <remarks>
/// The emulator runs in this process and the client in a child process of its own: the child's CPU
/// time and peak working set are then the client's alone, read from the operating system, with no
/// attempt to subtract the emulator's share of one process.
/// </remarks>
public sealed class ScaleBench : IBenchmark
{
    public const string ChildVerb = "--scale-client";
    private const double MemoryGoalMb = 200;

    /// <summary>The provider's slots, and the client's cap on jobs in flight.</summary>
    private const int Concurrency = 50;

    private const double CpuGoalMs = 2;

    public string Id => "scale";

    public string Title => "4. Scale: a 10,000-job batch and a 100,000-job ledger";

    private sealed record ChildResult(int Rows, int Downloaded, string[] Errors, double WallSeconds, double CpuSeconds,
        double ProcessCpuSeconds, long PeakWorkingSet, long PeakHeap, long Allocated);

    public async Task<Section> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var section = new Section(Id, Title);
        var batchCpuMs = await BatchAsync(context, section, cancellationToken);
        await TrackerAloneAsync(context, section, batchCpuMs, cancellationToken);
        LedgerFigures(context, section);
        return section;
    }

    /// <summary>Runs the batch and returns the client's CPU milliseconds a job.</summary>
    private static async Task<double> BatchAsync(BenchContext context, Section section, CancellationToken cancellationToken)
    {
        // 50 slots at the provider and 50 jobs in flight: 200 waves of 2 minutes, about a minute real at 0.0025.
        var (rows, concurrency, scale) = context.Quick ? (200, Concurrency, 0.0005) : (10_000, Concurrency, 0.0025);
        await using var server = await Lab.StartEmulatorAsync(scale, o => o.Concurrency[Lab.ProviderName] = concurrency);
        context.Log($"   {rows:N0} jobs in a child process, concurrency {concurrency}, time scale {scale}");
        var child = await RunBatchChildAsync(context, server, rows, scale, null, cancellationToken);
        var stats = Lab.Stats(server);
        var peakMb = child.PeakWorkingSet / 1048576.0;
        var cpuMs = child.CpuSeconds * 1000 / rows;
        section.Add(new Figure(
            $"{rows:N0}-job batch: client process peak working set",
            $"{peakMb:N0} MB (GC heap peak {child.PeakHeap / 1048576.0:N0} MB)",
            $"{MemoryGoalMb:N0} MB",
            $"{peakMb / MemoryGoalMb:0.00}",
            $"≤ {MemoryGoalMb:N0} MB",
            peakMb <= MemoryGoalMb,
            $"by {peakMb - MemoryGoalMb:N0} MB"));
        section.Add(new Figure(
            $"{rows:N0}-job batch: client CPU time per job (submit, track, download, ledger)",
            $"{cpuMs:0.00} ms ({child.CpuSeconds:0.0} s CPU over {child.WallSeconds:0} s real)",
            $"{CpuGoalMs:0} ms",
            $"{cpuMs / CpuGoalMs:0.00}",
            $"≤ {CpuGoalMs:0} ms",
            cpuMs <= CpuGoalMs,
            $"by {cpuMs - CpuGoalMs:0.00} ms a job"));
        section.Note($"The {rows:N0}-job client runs in a child process (`Hailuo.Bench {ChildVerb}`) and the emulator in the parent: the child's " +
            "peak working set (the kernel's high-water mark, VmHWM) and CPU time (user + system, from just before the first submit to the last " +
            "download) are the client's alone; the alternative, the emulator as the separate process, would work as well, but this way every " +
            $"benchmark starts the emulator the same way. Whole child process including runtime start-up and JIT: {child.ProcessCpuSeconds:0.0} s CPU. " +
            $"Allocated over the batch: {child.Allocated / (double)rows / 1024:N0} KB a job.");
        section.Note($"Settings: Replicate, C = {concurrency} and as many jobs in flight (-ThrottleLimit {concurrency}), 2-minute jobs, time scale {scale} " +
            $"(the batch is {rows / concurrency} waves, {rows / concurrency * Lab.MeanGenerationSeconds:N0} s emulated); a ledger and every video written to disk. " +
            $"The emulator counted {stats.Creates:N0} paid creates, {stats.StatusPolls / (double)rows:0.0} status calls a job and {stats.RateLimited} 429s.");
        if (!context.Quick && cpuMs > CpuGoalMs)
        {
            // Where the rest goes: .NET's thread pool spins a worker for a while each time it runs out of work, which a
            // batch that wakes for many small pieces of work pays on each of them. The same batch with the spin off:
            context.Log("   the same batch with the thread pool's idle spinning off");
            var quiet = await RunBatchChildAsync(context, server, rows, scale,
                new Dictionary<string, string> { ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0" }, cancellationToken);
            var quietMs = quiet.CpuSeconds * 1000 / rows;
            section.Add(new Figure(
                $"{rows:N0}-job batch: client CPU time per job with DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 (the thread pool does not spin while idle)",
                $"{quietMs:0.00} ms ({quiet.CpuSeconds:0.0} s CPU over {quiet.WallSeconds:0} s real)",
                $"with the default thread pool: {cpuMs:0.00} ms",
                $"{quietMs / cpuMs:0.00}",
                "(reported: where the CPU goes)", null));
        }
        return cpuMs;
    }

    private static async Task<ChildResult> RunBatchChildAsync(BenchContext context, EmulatorServer server, int rows, double scale,
        IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        var folder = Lab.Folder(context, "scale"); // a ledger of its own, so nothing is reused from an earlier run
        var self = Environment.ProcessPath ?? "dotnet";
        var arguments = new List<string>();
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            arguments.Add(typeof(ScaleBench).Assembly.Location);
        }
        arguments.AddRange([ChildVerb, server.BaseUrl, rows.ToString(CultureInfo.InvariantCulture), scale.ToString("R", CultureInfo.InvariantCulture), folder]);
        var (exit, output, error, _) = await Lab.RunProcessAsync(self, arguments, cancellationToken, environment);
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (exit != 0 || last is null)
        {
            throw new InvalidOperationException($"The client process failed ({exit}): {error}{output}");
        }
        var child = JsonSerializer.Deserialize<ChildResult>(last)!;
        if (child.Downloaded != rows)
        {
            throw new InvalidOperationException($"The client downloaded {child.Downloaded} of {rows}: {string.Join("; ", child.Errors.Take(5))}");
        }
        return child;
    }

    /// <summary>
    /// The tracker by itself, on the batch's clock and cap, with a poll that answers at once from a table:
    /// what scheduling costs a job when no request, ledger or download is involved.
    /// </summary>
    private static async Task TrackerAloneAsync(BenchContext context, Section section, double batchCpuMs, CancellationToken cancellationToken)
    {
        var (jobs, inFlight, scale) = context.Quick ? (100, 50, 0.0005) : (2_000, 50, 0.0025);
        var finishes = new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        Task<HailuoJob> Poll(HailuoJob job, CancellationToken _) =>
            Task.FromResult(DateTimeOffset.UtcNow >= finishes[job.Id]
                ? job.With(status: JobStatus.Succeeded, completedAt: finishes[job.Id])
                : job);
        using var tracker = new JobTracker(Poll, new TrackerOptions(), new EmulatedTime(scale));
        using var slots = new SemaphoreSlim(inFlight);
        var random = new Random(1);
        var waits = new List<Task>(jobs);
        context.Log($"   the tracker alone: {jobs:N0} jobs");
        var probe = MemoryProbe.Start();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < jobs; i++)
        {
            await slots.WaitAsync(cancellationToken);
            var now = DateTimeOffset.UtcNow;
            var id = $"alone-{i}";
            // The emulator's draw: the mean ±10 %, uniformly.
            finishes[id] = now + TimeSpan.FromSeconds(Lab.MeanGenerationSeconds * scale * (0.9 + 0.2 * random.NextDouble()));
            var job = new HailuoJob(id, Lab.Provider, HailuoModels.Standard, JobStatus.Running).With(createdAt: now, startedAt: now);
            waits.Add(tracker.Track(job).ContinueWith(_ => slots.Release(), TaskScheduler.Default));
        }
        await Task.WhenAll(waits);
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / jobs;
        await probe.DisposeAsync();
        var allocatedKb = probe.Allocated / (double)jobs / 1024;
        section.Add(new Figure(
            $"The tracker alone ({jobs:N0} jobs, {inFlight} at a time, same clock, polls answered at once from memory)",
            $"{cpuMs:0.00} ms CPU and {allocatedKb:N0} KB allocated a job; {tracker.TotalPolls / (double)jobs:0.0} polls a job",
            $"the whole batch: {batchCpuMs:0.00} ms a job",
            $"{cpuMs / batchCpuMs:P0} of it",
            "(reported: where the CPU goes)", null));
        if (batchCpuMs > CpuGoalMs)
        {
            section.Note($"Why the batch misses {CpuGoalMs:0} ms a job: what the client itself does is already under it. The tracker by itself, making " +
                $"no request, spends {cpuMs:0.00} ms and allocates {allocatedKb:N0} KB a job (one re-armed timer for all its sleeps; before, a Task.Delay, a " +
                "linked token source and a wake-up per reschedule cost 1.1 ms). Buffers are pooled, and only the ledger records money depends on are " +
                "flushed to disk (two a job, plus the video). The rest is .NET's thread pool spinning while idle, once for each of the many small " +
                "pieces of work a batch wakes for: the row above runs the same batch with that spinning off. PowerShell sets no such switch, so the " +
                "figure that counts is the first; a runbook host may set DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 to save it.");
        }
    }

    /// <summary>The client side of the 10,000-job batch, in its own process; prints one JSON line.</summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        var emulator = new Uri(args[0]);
        var rows = int.Parse(args[1], CultureInfo.InvariantCulture);
        var scale = double.Parse(args[2], CultureInfo.InvariantCulture);
        var folder = args[3];
        var probe = MemoryProbe.Start(TimeSpan.FromMilliseconds(50));
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        BatchOutcome outcome;
        var options = Lab.ClientOptions(emulator, Path.Combine(folder, "ledger.jsonl"));
        // As many in flight as the provider runs, as -ThrottleLimit would set it: Replicate's default (900) would queue
        // hundreds of paid jobs at a provider of 50 slots, and this figure is about the client's cost a job, not the queue's.
        options.MaxJobsInFlight = Concurrency;
        using (var client = new HailuoClient(options))
        {
            outcome = await CmdletBatch.RunAsync(client, "scale", rows, folder, CancellationToken.None);
        }
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime - cpuBefore;
        await probe.DisposeAsync();
        Console.WriteLine(JsonSerializer.Serialize(new ChildResult(rows, outcome.Downloaded, [.. outcome.Errors.Take(20)], outcome.Wall.TotalSeconds,
            cpu.TotalSeconds, process.TotalProcessorTime.TotalSeconds, process.PeakWorkingSet64, probe.PeakHeap, probe.Allocated)));
        return 0;
    }

    private static void LedgerFigures(BenchContext context, Section section)
    {
        int[] sizes = context.Quick ? [1_000, 2_000] : [1_000, 10_000, 100_000];
        var lookups = context.Quick ? 2_000 : 20_000;
        var folder = Lab.Folder(context, "ledger");
        var template = LedgerTemplate.Create(folder);
        var results = new List<(int Size, double OpenMs, double LookupUs, double ListMs, int Listed)>();
        foreach (var size in sizes)
        {
            var path = Path.Combine(folder, $"ledger-{size}.jsonl");
            template.Write(path, size);
            // Each figure is the best of a few rounds: on a shared machine the slowest round measures the neighbours.
            var openMs = Best(3, () =>
            {
                using var fresh = new JobLedger(path);
            });
            using var ledger = new JobLedger(path);
            var random = new Random(size);
            var hashes = Enumerable.Range(0, lookups).Select(_ => LedgerTemplate.Hash(random.Next(size))).ToArray();
            var lookupUs = Best(5, () =>
            {
                foreach (var hash in hashes)
                {
                    if (ledger.FindByInput(Lab.Provider, template.Account, hash) is null)
                    {
                        throw new InvalidOperationException($"The ledger of {size} jobs lost the input {hash}.");
                    }
                }
            }) * 1000 / lookups;
            // Get-HailuoJob -Status Failed: a filter that walks every entry.
            var listed = 0;
            var listMs = Best(3, () => listed = ledger.List(new LedgerQuery { Status = JobStatus.Failed }).Count);
            results.Add((size, openMs, lookupUs, listMs, listed));
            context.Log($"   ledger {size:N0}: open {openMs:N0} ms, lookup {lookupUs:0.00} µs, list {listMs:N1} ms ({listed} failed)");
        }

        var largest = results[^1];
        var smallest = results[0];
        section.Add(new Figure(
            $"Ledger of {largest.Size:N0} jobs: listing with a filter (Status = Failed, {largest.Listed:N0} matches)",
            $"{largest.ListMs:N0} ms",
            "1 s",
            $"{largest.ListMs / 1000:0.000}",
            "< 1 s",
            largest.ListMs < 1000,
            $"by {largest.ListMs - 1000:N0} ms"));
        var growth = largest.LookupUs / smallest.LookupUs;
        var scale = largest.Size / smallest.Size;
        // A hashed lookup still slows a little as its table outgrows the CPU caches (2 to 3 times from 1,000 to
        // 100,000 entries is common); a scan slows with the size itself, 100 times.
        const double flat = 3;
        section.Add(new Figure(
            "Ledger: looking up an identical input for reuse (FindByInput)",
            string.Join("; ", results.Select(r => $"{r.Size:N0} jobs: {r.LookupUs:0.00} µs")),
            $"at {smallest.Size:N0} jobs: {smallest.LookupUs:0.00} µs; a scan of {largest.Size:N0} (the listing above): {largest.ListMs * 1000:N0} µs",
            $"{growth:0.00} for {scale}× the jobs",
            $"flat: ≤ {flat:0} (a scan would be about {scale})",
            growth <= flat,
            $"it grew {growth:0.0}×"));
        var cold = largest.OpenMs + largest.ListMs;
        section.Add(new Figure(
            $"Ledger of {largest.Size:N0} jobs: the same listing as the first command of a new session (open the ledger, then list)",
            $"{cold:N0} ms (open {largest.OpenMs:N0} ms + list {largest.ListMs:N0} ms)",
            "1 s",
            $"{cold / 1000:0.00}",
            "< 1 s",
            cold < 1000,
            $"by {cold - 1000:N0} ms: reading the file into memory, about {largest.OpenMs * 1000 / largest.Size:0} µs a job"));
        section.Add(new Figure(
            "Ledger: opening (reading the file into its indexes)",
            string.Join("; ", results.Select(r => $"{r.Size:N0} jobs: {r.OpenMs:N0} ms")),
            "", "", "(reported)", null));
        section.Note("Listing is measured on a ledger already open, as in a session that has used it; the first command of a new " +
            "session (or of a new process such as a scheduled runbook) pays for reading the whole file first, shown separately." +
            (cold < 1000 ? "" : $" That read is what misses: about {largest.OpenMs * 1000 / largest.Size:0} µs a job, spent parsing each line and building the entries " +
                "(property names and enum values are matched on bytes and repeated strings shared; what is left is the entries themselves)."));
        section.Note($"The ledgers are compacted files (one snapshot line per job, 1 % failed), written from a template that the engine itself " +
            $"recorded and compacted, with each job's key, input hash and id made unique. Lookups are the mean of {lookups:N0} random hits; every figure is the best of 3 to 5 rounds; " +
            "each also checks the file for appends from other processes (one fstat), as every lookup does in use.");
    }

    /// <summary>The fastest of <paramref name="rounds"/> runs, in milliseconds.</summary>
    private static double Best(int rounds, Action action)
    {
        var best = double.MaxValue;
        for (var i = 0; i < rounds; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
        }
        return best;
    }

    /// <summary>Snapshot lines the engine wrote for one succeeded and one failed job, to be stamped out with fresh ids.</summary>
    private sealed class LedgerTemplate
    {
        private const string KeyToken = "bench-key-token";
        private readonly string _header;
        private readonly (string Line, string Key, string Hash, string Id)[] _jobs;

        private LedgerTemplate(string header, (string, string, string, string)[] jobs, string account)
        {
            _header = header;
            _jobs = jobs;
            Account = account;
        }

        public string Account { get; }

        public static string Hash(int i) => i.ToString("x64", CultureInfo.InvariantCulture);

        public static LedgerTemplate Create(string folder)
        {
            var path = Path.Combine(folder, "template.jsonl");
            var account = new Hailuo.Credentials.HailuoCredential(Lab.Key, KeyToken).Fingerprint;
            var jobs = new List<(string Key, string Hash, string Id)>();
            using (var ledger = new JobLedger(path))
            {
                foreach (var status in new[] { JobStatus.Succeeded, JobStatus.Failed })
                {
                    var request = Lab.Request("ledger", jobs.Count);
                    var hash = InputHash.Compute(Lab.Provider, request);
                    var tag = new Dictionary<string, string?> { ["scene"] = "harbour", ["shot"] = "3" };
                    var intent = ledger.RecordIntent(Lab.Provider, account, hash, request, tag);
                    var now = DateTimeOffset.UtcNow;
                    var id = $"template{jobs.Count}job{Guid.NewGuid():N}";
                    var job = new HailuoJob(id, Lab.Provider, HailuoModels.Standard, JobStatus.Queued).With(createdAt: now, request: request, inputHash: hash, tag: tag);
                    ledger.RecordSubmitted(intent, job);
                    ledger.RecordStatus(job.With(status: status, startedAt: now, completedAt: now.AddSeconds(120),
                        error: status == JobStatus.Failed ? new HailuoError(HailuoErrorKind.JobFailed, "The input or output was flagged as sensitive.") : null));
                    if (status == JobStatus.Succeeded)
                    {
                        ledger.RecordDownloaded(Lab.Provider, id, Path.Combine(folder, id + ".mp4"), 43_449);
                    }
                    jobs.Add((intent.Key, hash, id));
                }
                ledger.Compact();
            }
            var lines = File.ReadAllLines(path);
            var stamped = jobs.Select(j => (lines.Single(l => l.Contains(j.Id, StringComparison.Ordinal)), j.Key, j.Hash, j.Id)).ToArray();
            return new LedgerTemplate(lines[0], stamped, account);
        }

        /// <summary>A compacted ledger of <paramref name="size"/> jobs, every hundredth one failed.</summary>
        public void Write(string path, int size)
        {
            using var writer = new StreamWriter(path);
            writer.WriteLine(_header);
            for (var i = 0; i < size; i++)
            {
                var (line, key, hash, id) = _jobs[i % 100 == 0 ? 1 : 0];
                writer.WriteLine(line
                    .Replace(key, i.ToString("x32", CultureInfo.InvariantCulture), StringComparison.Ordinal)
                    .Replace(hash, Hash(i), StringComparison.Ordinal)
                    .Replace(id, $"job{i:D10}", StringComparison.Ordinal));
            }
        }
    }
}
