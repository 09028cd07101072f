using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Hailuo.Downloads;
using Hailuo.Models;
using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>The fault soak's size and clock.</summary>
public sealed record SoakSettings(int Jobs, double TimeScale, int Concurrency = 50, int Seed = 6)
{
    /// <summary>The issue's faults: 5xx 10 %, 429 5 %, resets 2 %, truncated downloads 2 %, expired links 1 %, content filter 1 %.</summary>
    public const string Faults = "5xx=0.1,429=0.05,reset=0.02,download:truncate=0.02,download:expire=0.01,filter=0.01";
}

/// <summary>What the soak measured; each requirement is a property the section and the tests judge.</summary>
public sealed class SoakResult : BatchAudit
{
    public required SoakSettings Settings { get; init; }

    /// <summary>The client's bound on retries of one API call (<see cref="HailuoClientOptions.MaxRetries"/>).</summary>
    public int ApiRetryBound { get; init; }

    /// <summary>Retries the client's transport counted, and the retry lines it logged (one per retry, numbered within its call).</summary>
    public int ApiRetries { get; init; }

    public required IReadOnlyList<int> ApiRetryNumbers { get; init; }

    /// <summary>Requests one download may make: <see cref="DownloadOptions.MaxAttempts"/> failed ones plus <see cref="DownloadOptions.MaxRefreshes"/> fresh links.</summary>
    public int DownloadRequestBound { get; init; }

    /// <summary>Requests each saved video took, from the client's own record of each download.</summary>
    public required IReadOnlyList<int> DownloadRequestCounts { get; init; }

    public int MaxApiRetries => ApiRetryNumbers.Count == 0 ? 0 : ApiRetryNumbers.Max();

    /// <summary>API calls that were retried k times, for k = 1 up: each retry line carries its number within its call.</summary>
    public IReadOnlyList<int> CallsRetried => Enumerable.Range(1, MaxApiRetries)
        .Select(k => ApiRetryNumbers.Count(n => n == k) - ApiRetryNumbers.Count(n => n == k + 1)).ToList();

    public int MaxDownloadRequests => DownloadRequestCounts.Count == 0 ? 0 : DownloadRequestCounts.Max();

    public double Seconds { get; init; }

    /// <summary>Rows whose create the batch left undecided (its body had left before a reset), run again as the error says.</summary>
    public int RowsRunAgain { get; init; }

    /// <summary>Failed rows whose error gives no reason.</summary>
    public IEnumerable<FailedRow> FailuresWithoutReason => Rows.Failed.Values.Where(f => string.IsNullOrWhiteSpace(f.Message));

    /// <summary>Every row downloaded or reported failed with its reason, none both, and no error that names no row.</summary>
    public bool EveryRowAccountedFor =>
        Rows.Unaccounted.Count == 0 && Rows.SavedAndFailed.Count == 0 && Rows.Unattributed.Count == 0 && !FailuresWithoutReason.Any();

    /// <summary>The output folder holds one whole MP4 per saved row and nothing else.</summary>
    public bool OneWholeVideoPerSavedRow => Folder.Clean && Folder.Videos.Count == Rows.Saved.Count;

    public bool ApiRetriesWithinBound => MaxApiRetries <= ApiRetryBound;

    /// <summary>The transport logged every retry it counted.</summary>
    public bool EveryApiRetryLogged => ApiRetryNumbers.Count == ApiRetries;

    public bool DownloadRequestsWithinBound => MaxDownloadRequests <= DownloadRequestBound;

    /// <summary>Download requests by the client's count: the sum over every saved video.</summary>
    public int DownloadRequests => DownloadRequestCounts.Sum();

    /// <summary>The client's count of download requests is the emulator's.</summary>
    public bool DownloadRequestsMatchEmulator => DownloadRequests == Provider.Downloads;

    /// <summary>Every saved video's download was counted, once.</summary>
    public bool EverySavedVideoCounted => DownloadRequestCounts.Count == Rows.Saved.Count;
}

/// <summary>
/// Part 1 of issue 6: a batch of thousands of jobs through the cmdlets' pipeline against the emulator with the
/// issue's faults injected, then an audit of what every row became, what the provider was paid for, what is on
/// disk, and how often each request was tried.
/// </summary>
public static class SoakScenario
{
    private static readonly Regex ApiRetry = new(@": retry (\d+) of [A-Z]+ \S+ in ", RegexOptions.Compiled);
    private static readonly Regex Download = new(@": (?:downloaded|kept) \S+ as .+ in (\d+) request\(s\) with \d+ fresh link\(s\)\.$", RegexOptions.Compiled);

    public static async Task<SoakResult> RunAsync(SoakSettings settings, string folder, CancellationToken cancellationToken)
    {
        await using var server = await Lab.StartEmulatorAsync(settings.TimeScale, o =>
        {
            o.Seed = settings.Seed;
            o.Faults = SoakSettings.Faults;
            o.Concurrency[Lab.ProviderName] = settings.Concurrency;
        });
        var output = Path.Combine(folder, "videos");
        var ledgerPath = Path.Combine(folder, "ledger.jsonl");
        var csvPath = Path.Combine(folder, "rows.csv");
        Csv.Write(csvPath, ["prompt", "row", "scene"], Enumerable.Range(1, settings.Jobs)
            .Select(i => (IReadOnlyList<string>)[$"soak row {i}: a lighthouse in a storm, waves crashing", i.ToString(CultureInfo.InvariantCulture), "harbour"]));

        var log = new ConcurrentQueue<string>();
        var retryBound = 0;
        // The engine's default settle time (real time): a create is retried for up to two thirds of it.
        using var session = CmdletPipeline.Connect(server.BaseUri, ledgerPath, Lab.Provider, o =>
        {
            o.Log = (_, line) => log.Enqueue(line);
            retryBound = o.MaxRetries;
        });
        var csv = Csv.Read(csvPath);
        var report = await Task.Run(() => CmdletPipeline.Run(session, csv, output, cancellationToken), cancellationToken);
        // A create whose body had left when the connection was reset cannot be known from its answer; on a busy machine the
        // server's reset can come after the client stops waiting for 100 Continue. The error tells the user to run the same
        // rows again, and that run looks the create up (its sender, this run, is done with it, so the lookup settles it after
        // StoppedSenderSettleTime): the soak does the same.
        var undecided = report.Errors.Where(e => e.Kind == nameof(HailuoErrorKind.OutcomeUnknown) && e.Row is not null).Select(e => e.Row!.Value).ToHashSet();
        if (undecided.Count > 0)
        {
            var again = await Task.Run(() => CmdletPipeline.Run(session, csv, output, cancellationToken, undecided), cancellationToken);
            report = report.Then(again, undecided);
        }
        // Each retry of an API call is one verbose line of the transport's: "<provider>: retry N of <method> <path> ...".
        var clientRetries = log.Count(line => Regex.IsMatch(line, @": retry \d+ of [A-Z]+ /"));

        var provider = ProviderTally.Of(server, Lab.Provider);
        var downloadDefaults = new DownloadOptions();
        return new SoakResult
        {
            Settings = settings,
            Rows = report.Account(settings.Jobs),
            Folder = FolderAudit.Of(output),
            Ledger = LedgerAudit.Of(ledgerPath, provider, final: true),
            Provider = provider,
            ApiRetryBound = retryBound,
            ApiRetries = clientRetries,
            ApiRetryNumbers = Numbers(log, ApiRetry),
            DownloadRequestBound = downloadDefaults.MaxAttempts + downloadDefaults.MaxRefreshes,
            DownloadRequestCounts = Numbers(log, Download),
            Seconds = report.Seconds,
            RowsRunAgain = undecided.Count,
        };
    }

    private static List<int> Numbers(IEnumerable<string> lines, Regex pattern) =>
        lines.Select(l => pattern.Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
}
