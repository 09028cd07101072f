using System.Diagnostics;

namespace Hailuo.TestLab;

/// <summary>What a harness writes: its document, the project that reproduces it, and the words above its tables.</summary>
public sealed record HarnessSpec(string Title, string Project, string Document, string Marker, IReadOnlyList<string> Preamble);

/// <summary>
/// The command line both harnesses share (benchmarks and reliability): <c>--quick</c>, <c>--only NAME</c>,
/// <c>--out FILE</c>; runs the chosen sections, prints them, and merges them into the document.
/// </summary>
public static class Harness
{
    private static HarnessSpec? _spec;

    /// <summary>The harness this process runs; what section commands and markers name. Set by <see cref="RunAsync"/>.</summary>
    public static HarnessSpec Spec => _spec ?? throw new InvalidOperationException("No harness is running: Harness.RunAsync names it.");

    public static async Task<int> RunAsync(HarnessSpec spec, IReadOnlyList<IBenchmark> all, string[] args, TimeSpan fullDeadline)
    {
        _spec = spec;
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
                    Console.Error.WriteLine($"usage: {Path.GetFileName(spec.Project)} [--quick] [--only " + string.Join("|", all.Select(b => b.Id)) + "] [--out FILE]");
                    Console.Error.WriteLine("  --quick  a smoke pass of a few seconds (what .ci/run runs); writes no document unless --out is given");
                    Console.Error.WriteLine($"  --out    where to write the tables (default {spec.Document} for a full run)");
                    return 2;
            }
        }
        var selected = all.Where(b => only is null || b.Id == only).ToList();
        if (selected.Count == 0)
        {
            Console.Error.WriteLine($"There is no section called '{only}'; there are {string.Join(", ", all.Select(b => b.Id))}.");
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
            // A hung section must not hang CI: each one gets a deadline far beyond what it needs.
            using var deadline = new CancellationTokenSource(quick ? TimeSpan.FromMinutes(2) : fullDeadline);
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
            failures += section.Figures.Count(f => f.Met == false && f.FailsRun);
            var block = ReportWriter.RenderSection(section, started, quick);
            blocks[benchmark.Id] = block;
            Console.WriteLine();
            Console.WriteLine(block);
        }

        var target = output ?? (quick ? null : Path.Combine(BenchContext.RepositoryRoot(), spec.Document));
        if (target is not null && blocks.Count > 0)
        {
            var existing = File.Exists(target) ? await File.ReadAllTextAsync(target) : null;
            await File.WriteAllTextAsync(target, ReportWriter.Merge(existing, all.Select(b => b.Id).ToList(), blocks, started));
            context.Log($"wrote {target}");
        }
        return failures == 0 ? 0 : 1;
    }
}
