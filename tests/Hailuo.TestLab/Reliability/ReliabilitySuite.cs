using System.Reflection;
using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>
/// The suite's sections, found in this assembly (every <see cref="IBenchmark"/>), in the order;
/// and the child processes some of them start (a verb each, see <see cref="ChildVerbAttribute"/>).
/// </summary>
public static class ReliabilitySuite
{
    /// <summary>The order docs/reliability.md lists them in; a section not named here comes last.</summary>
    private static readonly string[] Order = ["soak", "crash", "hostile", "secrets", "transport", "verdicts", "processes", "keys"];

    public static HarnessSpec Spec { get; } = new(
        "Reliability and security",
        "tests/Hailuo.Reliability",
        "docs/reliability.md",
        "rel",
        [
            "Written by `dotnet run -c Release --project tests/Hailuo.Reliability` (the long versions, all eight) or",
            "`-- --only NAME` (one block; the others keep their figures and dates). Each section runs the engine, and the",
            "cmdlets' command logic, against the in-process emulator with a scaled clock. Unlike the benchmarks, every row",
            "here is a requirement: a run that misses one exits non-zero. The short versions are xunit tests",
            "(`tests/Hailuo.Tests/Reliability`), so `dotnet test` and `.ci/run` run them on every change.",
            "",
            "Issue 12's goals, and the rows that judge them: 0 duplicate paid creates (a row in every section that creates); 0 rows",
            "\"outcome unknown\" where the answer's status line or the provider's list proves the outcome (section 6); 0 misleading",
            "messages and redundant download bytes ≤ 5 % when two processes run one CSV on one ledger (section 7); 0 key",
            "occurrences in any encoding (sections 4 and 8). What each provider allows when a kill strands a create is the table",
            "at the end of section 2. Blocks marked \"before\" were measured once on the code before issue 12 (commit 4a22ca6) by",
            "the same sections, for comparison; a run of the suite keeps them as they are.",
        ]);

    public static IReadOnlyList<IBenchmark> Sections() =>
        typeof(ReliabilitySuite).Assembly.GetTypes()
            .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
            .OrderBy(s => Array.IndexOf(Order, s.Id) is var i and >= 0 ? i : int.MaxValue)
            .ToList();

    /// <summary>Runs the child verb that <paramref name="args"/> begins with; null when it begins with none.</summary>
    public static Task<int>? RunChild(string[] args) =>
        args.Length > 0 && ChildVerbs.TryGetValue(args[0], out var child) ? child(args[1..]) : null;

    private static IReadOnlyDictionary<string, Func<string[], Task<int>>> ChildVerbs { get; } =
        typeof(ReliabilitySuite).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.GetCustomAttribute<ChildVerbAttribute>() is not null)
            .ToDictionary(
                m => m.GetCustomAttribute<ChildVerbAttribute>()!.Verb,
                m => (Func<string[], Task<int>>)m.CreateDelegate(typeof(Func<string[], Task<int>>)),
                StringComparer.Ordinal);
}

/// <summary>Marks a <c>public static Task&lt;int&gt; M(string[] args)</c> that runs as <c>Hailuo.Reliability VERB args</c> (see <see cref="ChildHost"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChildVerbAttribute(string verb) : Attribute
{
    public string Verb { get; } = verb;
}
