using System.Diagnostics;
using Hailuo.Bench;
using Hailuo.Bench.Benchmarks;

// The 10,000-job client runs in a child process of its own, so that its CPU and memory are not the emulator's.
if (args.Length > 0 && args[0] == ScaleBench.ChildVerb)
{
    return await ScaleBench.RunChildAsync(args[1..]);
}

IBenchmark[] all = [new BatchBench(), new PollingBench(), new DownloadBench(), new ScaleBench(), new PipelineBench()];

var quick = false;
string? only = null;
string? output = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick":
            quick = true;
            break;
        case "--only" when i + 1 < args.Length:
            only = args[++i];
            break;
        case "--out" when i + 1 < args.Length:
            output = args[++i];
            break;
        default:
            Console.Error.WriteLine("usage: Hailuo.Bench [--quick] [--only " + string.Join("|", all.Select(b => b.Id)) + "] [--out FILE]");
            Console.Error.WriteLine("  --quick  a smoke pass of a few seconds (what .ci/run runs); writes no document unless --out is given");
            Console.Error.WriteLine("  --out    where to write the table (default docs/benchmarks.md for a full run)");
            return 2;
    }
}
var selected = all.Where(b => only is null || b.Id == only).ToList();
if (selected.Count == 0)
{
    Console.Error.WriteLine($"No benchmark is called '{only}'; there are {string.Join(", ", all.Select(b => b.Id))}.");
    return 2;
}

_ = Machine.WasBusy; // fixes the load average as it was when the run began
var started = DateTimeOffset.UtcNow;
using var context = new BenchContext(quick);
var failures = 0;
var blocks = new Dictionary<string, string>(StringComparer.Ordinal);
foreach (var benchmark in selected)
{
    context.Log($"== {benchmark.Id}: {benchmark.Title}");
    var clock = Stopwatch.StartNew();
    // A hung benchmark must not hang CI: each one gets a deadline far beyond what it needs.
    using var deadline = new CancellationTokenSource(quick ? TimeSpan.FromMinutes(2) : TimeSpan.FromMinutes(30));
    Section section;
    try
    {
        section = await benchmark.RunAsync(context, deadline.Token);
    }
    catch (Exception e)
    {
        failures++;
        Console.Error.WriteLine($"{benchmark.Id} could not be measured: {e}");
        continue;
    }
    context.Log($"   {benchmark.Id} took {clock.Elapsed.TotalSeconds:0.0} s real");
    var block = ReportWriter.RenderSection(section, started, quick);
    blocks[benchmark.Id] = block;
    Console.WriteLine();
    Console.WriteLine(block);
}

var target = output ?? (quick ? null : Path.Combine(BenchContext.RepositoryRoot(), "docs", "benchmarks.md"));
if (target is not null && blocks.Count > 0)
{
    var existing = File.Exists(target) ? await File.ReadAllTextAsync(target) : null;
    await File.WriteAllTextAsync(target, ReportWriter.Merge(existing, all.Select(b => b.Id).ToList(), blocks, started));
    context.Log($"wrote {target}");
}
return failures == 0 ? 0 : 1;
