using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Hailuo.TestLab;

/// <summary>One row of the table. <see cref="Met"/> is null for a figure that has no goal of its own;
/// <see cref="FailsRun"/> marks a requirement (reliability) rather than a goal (benchmarks): missing it fails the run.</summary>
public sealed record Figure(string Name, string Measured, string Bound, string Ratio, string Goal, bool? Met, string? Shortfall = null, bool FailsRun = false)
{
    public string Verdict => Met switch
    {
        true => "met",
        false => "**missed**" + (Shortfall is null ? "" : ": " + Shortfall),
        null => "",
    };
}

/// <summary>What one benchmark measured: its rows and the notes that explain them.</summary>
public sealed class Section
{
    public Section(string id, string title)
    {
        Id = id;
        Title = title;
    }

    public string Id { get; }

    public string Title { get; }

    public List<Figure> Figures { get; } = [];

    public List<string> Notes { get; } = [];

    public string Command => $"`dotnet run -c Release --project {Harness.Spec.Project} -- --only {Id}`";

    public void Add(Figure figure) => Figures.Add(figure);

    public void Note(string text) => Notes.Add(text);
}

/// <summary>The machine the figures come from, as the table must say.</summary>
public static class Machine
{
    public static IReadOnlyList<(string Name, string Value)> Describe() =>
    [
        ("cores", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture) + (CpuModel() is { } model ? $" ({model})" : "")),
        ("memory", $"{GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (double)(1L << 30):0.#} GiB"),
        ("OS", (OsName() ?? RuntimeInformation.OSDescription) + $", {RuntimeInformation.OSArchitecture}"),
        (".NET", RuntimeInformation.FrameworkDescription),
        ("load average at start (1, 5, 15 min)", StartLoad is { } load ? string.Join(", ", load) : "n/a"),
    ];

    /// <summary>True when other work was keeping the cores busy as the run began.</summary>
    public static bool WasBusy => StartLoad is { } load && load[0] > 0.5 * Environment.ProcessorCount;

    private static string? CpuModel() => ReadLine("/proc/cpuinfo", "model name") is { } line ? line[(line.IndexOf(':') + 1)..].Trim() : null;

    private static string? OsName()
    {
        var pretty = ReadLine("/etc/os-release", "PRETTY_NAME=");
        return pretty is null ? null : pretty["PRETTY_NAME=".Length..].Trim('"') + $" (kernel {Environment.OSVersion.Version})";
    }

    /// <summary>The load average when this class was first used, which the harness does as the run begins.</summary>
    private static readonly double[]? StartLoad = ReadLoadAverage();

    private static double[]? ReadLoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return parts.Length >= 3 ? parts.Take(3).Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray() : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? ReadLine(string path, string prefix)
    {
        try
        {
            return File.Exists(path) ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>
/// Writes the harness's document (docs/benchmarks.md, docs/reliability.md). Each section owns a marked block,
/// so that <c>--only NAME</c> replaces its own block and keeps the others' figures (each block carries its own date).
/// </summary>
public static class ReportWriter
{
    public static string RenderSection(Section section, DateTimeOffset when, bool quick)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"<!-- {Harness.Spec.Marker}:{section.Id} -->");
        sb.AppendLine($"## {section.Title}");
        sb.AppendLine();
        sb.AppendLine($"Measured {when:yyyy-MM-dd HH:mm} UTC{(quick ? " (**--quick smoke sizes: not figures**)" : "")}. Reproduce: {section.Command}");
        sb.AppendLine();
        sb.AppendLine("| figure | measured | bound or alternative | ratio | goal | verdict | command |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var f in section.Figures)
        {
            sb.AppendLine($"| {Cell(f.Name)} | {Cell(f.Measured)} | {Cell(f.Bound)} | {Cell(f.Ratio)} | {Cell(f.Goal)} | {Cell(f.Verdict)} | {section.Command} |");
        }
        if (section.Notes.Count > 0)
        {
            sb.AppendLine();
            foreach (var note in section.Notes)
            {
                sb.AppendLine(note);
                sb.AppendLine();
            }
        }
        else
        {
            sb.AppendLine();
        }
        sb.AppendLine($"<!-- /{Harness.Spec.Marker}:{section.Id} -->");
        sb.AppendLine();
        return sb.ToString();
    }

    /// <summary>The whole document: the header, then each benchmark's block, new ones replacing old ones.</summary>
    public static string Merge(string? existing, IReadOnlyList<string> order, IReadOnlyDictionary<string, string> fresh, DateTimeOffset when)
    {
        var old = new Dictionary<string, string>(StringComparer.Ordinal);
        if (existing is not null)
        {
            var block = new Regex($@"<!-- {Harness.Spec.Marker}:([a-z0-9-]+) -->.*?<!-- /{Harness.Spec.Marker}:\1 -->", RegexOptions.Singleline);
            foreach (Match m in block.Matches(existing))
            {
                old[m.Groups[1].Value] = m.Value.TrimEnd() + Environment.NewLine + Environment.NewLine;
            }
        }
        var sb = new StringBuilder();
        sb.AppendLine("# " + Harness.Spec.Title);
        sb.AppendLine();
        foreach (var line in Harness.Spec.Preamble)
        {
            sb.AppendLine(line);
        }
        sb.AppendLine();
        if (Machine.WasBusy)
        {
            sb.AppendLine("> Other work was keeping this machine's cores busy when the run began (see the load average): the");
            sb.AppendLine("> figures are indicative only; re-measure them on a quiet machine before quoting them.");
            sb.AppendLine();
        }
        sb.AppendLine("| machine | |");
        sb.AppendLine("|---|---|");
        foreach (var (name, value) in Machine.Describe())
        {
            sb.AppendLine($"| {name} | {Cell(value)} |");
        }
        sb.AppendLine($"| date of the last run | {when:yyyy-MM-dd HH:mm} UTC |");
        sb.AppendLine();
        foreach (var id in order)
        {
            if (fresh.TryGetValue(id, out var block) || old.TryGetValue(id, out block))
            {
                sb.Append(block);
            }
        }
        // Blocks another tool writes (figure 5: bench/Hailuo.Bench/pipeline-per-row.ps1) stay as they are, after these.
        foreach (var (id, block) in old)
        {
            if (!order.Contains(id, StringComparer.Ordinal))
            {
                sb.Append(block);
            }
        }
        return sb.ToString().TrimEnd() + Environment.NewLine;
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
