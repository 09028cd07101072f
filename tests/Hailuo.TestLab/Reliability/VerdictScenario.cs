using System.Globalization;
using System.Text.RegularExpressions;
using Hailuo.Connection;
using Hailuo.Emulator.Core;
using Hailuo.Models;
using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>The heavy create-fault mix: the provider, the size, and the client's attempt timeout that held answers outlast.</summary>
public sealed record VerdictSettings(HailuoProvider Provider, int Rows, double TimeScale = 0.002, int Seed = 39)
{
    /// <summary>
    /// Every way a create's answer can go wrong, several at once on one answer (a 503 cut short, a 429 garbled): 503 in
    /// bursts of two, 429, resets before the request is read, drops after it is handled, answers held past the attempt
    /// timeout, bodies cut short or garbled; with faults on status reads and downloads besides.
    /// </summary>
    public const string Faults = "create:5xx=0.1:2,create:429=0.08:1,create:reset=0.04,create:drop=0.04,create:hold=0.03:3000,create:truncate=0.08,create:malformed=0.08," +
        "status:5xx=0.1,status:malformed=0.05,download:truncate=0.05,download:expire=0.03";

    /// <summary>The client's attempt timeout, real time: a held create answer (3 s) outlasts it.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Rows whose first create a gateway answers 500, 502 or 504 (the emulator's own 5xx is a 503), about half of them after the job was made.</summary>
    public const double GatewayShare = 0.06;
}

/// <summary>Why a row ended "outcome unknown", as the bytes that arrived left it.</summary>
public enum UnknownCause
{
    /// <summary>The connection broke after the request was sent: no status line came.</summary>
    DroppedAfterSend,
    /// <summary>No answer within the attempt timeout after the request was sent.</summary>
    TimeoutAfterSend,
    /// <summary>A 500, 502 or 504: not a decline, and not an acceptance either.</summary>
    GatewayError,
    /// <summary>A 2xx (the create was accepted) whose body was cut short or garbled and names no job.</summary>
    Garbled2xx,
    /// <summary>The answer proved the outcome (a 429, 503, 408 or other 4xx status line, whole or not), yet the row was left unknown.</summary>
    ProvablyDecided,
    /// <summary>A message that says none of the above: counted against the goal until it is explained.</summary>
    Unexplained,
}

/// <summary>One row that ended "outcome unknown": why, and whether the provider made (and was paid for) its job.</summary>
public sealed record UnknownRow(long Row, UnknownCause Cause, bool Paid, string Message);

public sealed class VerdictResult : BatchAudit
{
    public required VerdictSettings Settings { get; init; }

    /// <summary>The rows the first run left "outcome unknown".</summary>
    public required IReadOnlyList<UnknownRow> Unknown { get; init; }

    /// <summary>Where the provider lists its jobs, the rows still unknown after running the same command again; null where it cannot.</summary>
    public IReadOnlyList<long>? UnknownAfterRerun { get; init; }

    /// <summary>Runs of the same command after the first, while rows were left unknown (where the provider lists its jobs).</summary>
    public int Reruns { get; init; }

    /// <summary>Rows the later runs settled by finding their job at the provider, and by showing it never arrived (sent once then).</summary>
    public int FoundOnRerun { get; init; }

    public int SentOnRerun { get; init; }

    public int GatewayRows { get; init; }

    public double Seconds { get; init; }

    public IEnumerable<UnknownRow> Of(UnknownCause cause) => Unknown.Where(u => u.Cause == cause);
}

/// <summary>
/// Item 1 of issue 12: 300 rows under the heaviest create-fault mix, each row that ends "outcome unknown" classified by
/// what the bytes that arrived could tell. The verdict is the engine's; the cause is read from its message and checked
/// against the provider: an answer said to be an accepted (2xx) create must have made a job.
/// </summary>
public static class VerdictScenario
{
    private static readonly Regex GatewayStatus = new(@"answered the create HTTP (500|502|504)\b", RegexOptions.Compiled);
    private static readonly Regex DecidingStatus = new(@"\bHTTP (4\d\d|503)\b", RegexOptions.Compiled);

    public static async Task<VerdictResult> RunAsync(VerdictSettings settings, string folder, CancellationToken cancellationToken)
    {
        var name = CmdletPipeline.EmulatorName(settings.Provider);
        await using var server = await Lab.StartEmulatorAsync(settings.TimeScale, o =>
        {
            o.Seed = settings.Seed;
            o.Faults = VerdictSettings.Faults;
            o.Concurrency[name] = 50;
        });
        // A gateway in front of the provider loses some creates' answers: 500, 502 or 504, after the job was made or before. An
        // answer aimed by prompt makes the emulator read each create's body before its own faults while any is left, which
        // turns its resets into resets after the request was sent: every third row of the first ones, so that the rest meet
        // the emulator's resets as they are.
        var random = new Random(settings.Seed);
        var gateway = Enumerable.Range(1, settings.Rows).Where(row => row % 3 == 0).Take((int)(settings.Rows * VerdictSettings.GatewayShare)).ToHashSet();
        foreach (var row in gateway)
        {
            server.State.Hostile.Add(new HostileAnswer
            {
                Provider = name, Operation = Operation.Create, PromptContains = Marker(row), Times = 1,
                Status = new[] { 500, 502, 504 }[random.Next(3)], Handle = random.Next(2) == 0,
                ContentType = "text/html", Body = "<html><body>upstream error</body></html>",
            });
        }
        var csvPath = Path.Combine(folder, "rows.csv");
        Csv.Write(csvPath, ["prompt", "row"], Enumerable.Range(1, settings.Rows)
            .Select(i => (IReadOnlyList<string>)[$"verdict {Marker(i)}: a lighthouse in a storm, waves crashing", i.ToString(CultureInfo.InvariantCulture)]));
        var output = Path.Combine(folder, "videos");
        var ledgerPath = Path.Combine(folder, "ledger.jsonl");
        var warnings = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var session = CmdletPipeline.Connect(server.BaseUri, ledgerPath, settings.Provider, o =>
        {
            o.AttemptTimeout = VerdictSettings.AttemptTimeout;
            o.Log = (level, line) =>
            {
                if (level == HailuoLogLevel.Warning)
                {
                    warnings.Enqueue(line);
                }
            };
        });
        var csv = Csv.Read(csvPath);
        var report = await Task.Run(() => CmdletPipeline.Run(session, csv, output, cancellationToken), cancellationToken);

        var paidPrompts = server.State.Boards[name].Snapshot().Select(j => j.Input["prompt"]?.ToString() ?? "").ToHashSet(StringComparer.Ordinal);
        var unknown = Unknown(report).Select(e => Classify(e, paidPrompts.Contains(csv[(int)e.Row!.Value - 1]["prompt"] ?? ""))).ToList();

        // Where the provider lists its jobs, the same command again settles each such row (this run, its sender, is done with it).
        IReadOnlyList<long>? after = null;
        var reruns = 0;
        var before = warnings.Count;
        if (ProviderFacts.ListsJobs(settings.Provider))
        {
            after = unknown.Select(u => u.Row).ToList();
            while (after.Count > 0 && reruns < 3)
            {
                var rows = after.ToHashSet();
                var again = await Task.Run(() => CmdletPipeline.Run(session, csv, output, cancellationToken, rows), cancellationToken);
                report = report.Then(again, rows);
                after = Unknown(again).Select(e => e.Row!.Value).ToList();
                reruns++;
            }
        }
        var later = warnings.Skip(before).ToList();
        var provider = ProviderTally.Of(server, settings.Provider);
        return new VerdictResult
        {
            Settings = settings,
            Rows = report.Account(settings.Rows),
            Folder = FolderAudit.Of(output),
            Ledger = LedgerAudit.Of(ledgerPath, provider, final: true),
            Provider = provider,
            Unknown = unknown,
            UnknownAfterRerun = after,
            Reruns = reruns,
            FoundOnRerun = later.Count(l => l.Contains("which is used instead of paying again", StringComparison.Ordinal)),
            SentOnRerun = later.Count(l => l.Contains("never arrived", StringComparison.Ordinal)),
            GatewayRows = gateway.Count,
            Seconds = report.Seconds,
        };
    }

    /// <summary>The rows a run reported "outcome unknown", each with its first such error, in row order.</summary>
    private static IEnumerable<FailedRow> Unknown(BatchReport report) =>
        report.Errors.Where(e => e.Kind == nameof(HailuoErrorKind.OutcomeUnknown) && e.Row is not null).GroupBy(e => e.Row!.Value).Select(g => g.First()).OrderBy(e => e.Row);

    /// <summary>What a row's prompt carries so that a gateway answer can be aimed at it alone.</summary>
    private static string Marker(int row) => $"[row {row:D4}]";

    /// <summary>Why the bytes could not tell, from the engine's message; a "2xx" that made no job was not one.</summary>
    public static UnknownRow Classify(FailedRow error, bool paid)
    {
        var m = error.Message;
        var cause = DecidingStatus.IsMatch(m) && !GatewayStatus.IsMatch(m) ? UnknownCause.ProvablyDecided
            : GatewayStatus.IsMatch(m) ? UnknownCause.GatewayError
            : m.Contains("the request was sent, then no answer within", StringComparison.Ordinal) ? UnknownCause.TimeoutAfterSend
            : m.Contains("the request was sent, then the connection failed", StringComparison.Ordinal) ? UnknownCause.DroppedAfterSend
            // A create the provider accepted made its job: a "damaged acceptance" with no job was a damaged decline.
            : m.Contains("answered the create, but the answer was damaged", StringComparison.Ordinal)
                || m.Contains("accepted the create but its answer names no job", StringComparison.Ordinal) ? (paid ? UnknownCause.Garbled2xx : UnknownCause.ProvablyDecided)
            : UnknownCause.Unexplained;
        return new UnknownRow(error.Row!.Value, cause, paid, m);
    }
}
