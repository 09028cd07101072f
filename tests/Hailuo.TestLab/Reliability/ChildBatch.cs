using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Hailuo.Emulator;
using Hailuo.Models;
using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>
/// The batch as a separate process: the program of <see cref="ChildHost"/> started with a child verb (see
/// <see cref="ChildVerbAttribute"/>), the emulator's address, a folder holding rows.csv, and a provider. The child runs
/// <c>Import-Csv rows.csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path videos</c> with the ledger
/// ledger.jsonl, and prints its <see cref="BatchReport"/> as its last line of output.
/// </summary>
public static class ChildBatch
{
    /// <summary>
    /// The same command every time: the child host's program with the verb, the emulator's address, the folder, the provider,
    /// and the batch's -ThrottleLimit when it has one.
    /// </summary>
    public static (string FileName, List<string> Arguments) Command(string verb, EmulatorServer server, string folder, HailuoProvider provider,
        int? throttleLimit = null)
    {
        var assembly = ChildHost.AssemblyPath();
        var host = Path.ChangeExtension(assembly, OperatingSystem.IsWindows() ? ".exe" : null);
        List<string> arguments = [verb, server.BaseUrl, folder, provider.ToString()];
        if (throttleLimit is { } limit)
        {
            arguments.Add(limit.ToString(CultureInfo.InvariantCulture));
        }
        return File.Exists(host) ? (host, arguments) : ("dotnet", [assembly, .. arguments]);
    }

    /// <summary>The report a child printed last; throws with its error output when it printed none.</summary>
    public static BatchReport ReadReport(int exitCode, string output, string error)
    {
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (exitCode != 0 || last is null)
        {
            throw new InvalidOperationException($"The batch failed ({exitCode}): {error}");
        }
        return JsonSerializer.Deserialize<BatchReport>(last)!;
    }

    /// <summary>
    /// The child's side: connects as Connect-Hailuo would (the ledger in the folder), runs the pipeline over every row,
    /// and prints the report with the engine's warnings and, for the lines <paramref name="keep"/> picks, its log.
    /// </summary>
    public static int Run(string[] args, Action<HailuoClientOptions>? tune = null, Func<string, bool>? keep = null)
    {
        var emulator = new Uri(args[0]);
        var folder = args[1];
        var provider = Enum.Parse<HailuoProvider>(args[2]);
        int? throttleLimit = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : null;
        var warnings = new ConcurrentQueue<string>();
        var kept = new ConcurrentQueue<string>();
        using var session = CmdletPipeline.Connect(emulator, LedgerPath(folder), provider, o =>
        {
            tune?.Invoke(o);
            // As New-HailuoVideo -ThrottleLimit: the cap on jobs in flight.
            o.MaxJobsInFlight = throttleLimit ?? o.MaxJobsInFlight;
            o.Log = (level, line) =>
            {
                if (level == HailuoLogLevel.Warning)
                {
                    warnings.Enqueue(line);
                }
                else if (keep?.Invoke(line) == true)
                {
                    kept.Enqueue(line);
                }
            };
        });
        var report = CmdletPipeline.Run(session, Csv.Read(CsvPath(folder)), VideosPath(folder), CancellationToken.None);
        report.Warnings.AddRange(warnings);
        report.Log.AddRange(kept);
        Console.WriteLine(JsonSerializer.Serialize(report));
        return 0;
    }

    public static string CsvPath(string folder) => Path.Combine(folder, "rows.csv");

    public static string LedgerPath(string folder) => Path.Combine(folder, "ledger.jsonl");

    public static string VideosPath(string folder) => Path.Combine(folder, "videos");
}
