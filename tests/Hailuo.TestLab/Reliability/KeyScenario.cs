using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hailuo.Connection;
using Hailuo.Credentials;
using Hailuo.Emulator;
using Hailuo.Ledger;
using Hailuo.Models;
using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>One batch under one key: the key, the provider, the size, and how long it may take to end.</summary>
public sealed record KeySettings(string Key, HailuoProvider Provider, int Rows, TimeSpan Bound, double TimeScale = 0.005, int Seed = 21)
{
    /// <summary>
    /// Answers that carry provider text into errors, the log and the ledger (content filter, no credits, 5xx, 429, garbled
    /// creates and statuses, cut downloads); no resets or drops, which the echoing relay in front would turn into lost answers.
    /// </summary>
    public const string Faults = "create:filter=0.15,create:credits=0.05,create:5xx=0.1,429=0.05:1,create:malformed=0.05,status:5xx=0.1,status:malformed=0.05,download:truncate=0.1";

    /// <summary>A key this short is in ordinary words and ids: searched for only in the forms that stay distinct (see <see cref="KeyScenario.ScannerFor"/>).</summary>
    public bool IsShort => Key.Length < 8;

    public string Describe() => $"{(IsShort ? $"key \"{Key}\"" : "a long key")}, {HailuoConnection.NameOf(Provider)}";
}

/// <summary>What one batch under one key did, and what the scan found.</summary>
public sealed class KeyResult
{
    public required KeySettings Settings { get; init; }

    public required RowLedger Rows { get; init; }

    public required ProviderTally Provider { get; init; }

    public required SecretScanner Scanner { get; init; }

    /// <summary>The batch ended on its own before <see cref="KeySettings.Bound"/>; false when it had to be stopped.</summary>
    public bool Ended { get; init; }

    public double Seconds { get; init; }

    /// <summary>Saved rows whose job id is not one the provider made (a key blanked inside an id before it was read).</summary>
    public required IReadOnlyList<string> AlteredIds { get; init; }

    /// <summary>Error texts the relay gave back with the key in them (each form of <see cref="LoopbackRelay.EchoForms"/>).</summary>
    public long Echoes { get; init; }

    /// <summary>Records, lines and files scanned.</summary>
    public long Scanned => Scanner.TotalItems;

    public IReadOnlyList<string> Leaks => Scanner.Leaks.Distinct().ToList();

    /// <summary>Every row a file or an error, within the bound, its ids as the provider gave them, none paid twice.</summary>
    public bool EveryRowEnded => Ended && Rows.Unaccounted.Count == 0 && Rows.SavedAndFailed.Count == 0 && AlteredIds.Count == 0
        && Provider.NonePaidTwice && Seconds <= Settings.Bound.TotalSeconds;
}

/// <summary>
/// Item 3 of issue 12: the key blanked in what is shown, never in what is parsed. A batch runs under a key that occurs in
/// job ids and JSON ("k", "a", "0"), or under a long key, through a loopback relay that echoes the key into every error
/// text as is, JSON-escaped, URL-encoded and inside base64 (Bearer and Basic headers); every row must end, a file or an
/// error, and no form of the key may be in any record, log line, the ledger or a file.
/// </summary>
public static class KeyScenario
{
    public static async Task<KeyResult> RunAsync(KeySettings settings, string folder, CancellationToken cancellationToken)
    {
        await using var server = await Lab.StartEmulatorAsync(settings.TimeScale, o =>
        {
            o.Seed = settings.Seed;
            o.ApiKey = settings.Key;
            o.Faults = KeySettings.Faults;
        });
        long echoes = 0;
        await using var relay = await LoopbackRelay.StartAsync("127.0.0.2");
        relay.UpstreamRoot = server.BaseUri;
        relay.RewriteBody = (request, status, body) =>
        {
            var echoed = LoopbackRelay.EchoCredential(request, status, body);
            if (echoed != body)
            {
                Interlocked.Increment(ref echoes);
            }
            return echoed;
        };

        var scanner = ScannerFor(settings.Key);
        var csvPath = Path.Combine(folder, "rows.csv");
        Csv.Write(csvPath, ["prompt", "row"], Enumerable.Range(1, settings.Rows)
            .Select(i => (IReadOnlyList<string>)[$"key row {i}: a kite above a beach at noon", i.ToString(CultureInfo.InvariantCulture)]));
        var ledgerPath = Path.Combine(folder, "ledger", JobLedger.FileName);
        var session = EmulatorConnection.Connect(new Uri(relay.Url), settings.Provider, new HailuoCredential(settings.Key, "keys"), ledgerPath,
            tune: o => o.Log = (level, line) => scanner.ScanText(SecretPlace.Log, $"log {level}", line));
        var csv = Csv.Read(csvPath);

        var clock = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Bound);
        BatchReport? report = null;
        try
        {
            using var _ = session;
            report = await Task.Run(() => CmdletPipeline.Run(session, csv, Path.Combine(folder, "videos"), deadline.Token,
                observe: scanner.ScanWritten), deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // It did not end within the bound: the requirement fails, and the rows it had not finished are unaccounted for.
        }
        var seconds = clock.Elapsed.TotalSeconds;
        scanner.ScanFolder(folder);

        var provider = ProviderTally.Of(server, settings.Provider);
        var made = provider.Jobs.Select(j => j.Id).ToHashSet(StringComparer.Ordinal);
        report ??= new BatchReport([], [], [], seconds);
        return new KeyResult
        {
            Settings = settings,
            Rows = report.Account(settings.Rows),
            Provider = provider,
            Scanner = scanner,
            Ended = report.Seconds > 0 && seconds < settings.Bound.TotalSeconds,
            Seconds = seconds,
            AlteredIds = report.Saved.Where(s => !made.Contains(s.JobId)).Select(s => $"row {s.Row}: {s.JobId}").ToList(),
            Echoes = Interlocked.Read(ref echoes),
        };
    }

    /// <summary>
    /// Every form of a long key (<see cref="SecretScanner"/>). A short key is a letter or digit of ordinary words and ids, so
    /// it is looked for only where it stays distinct: inside base64 with the header it came in, as the relay echoes it
    /// (Bearer, and Basic with no user name), between the space and the parenthesis around the echo.
    /// </summary>
    public static SecretScanner ScannerFor(string key) => key.Length >= 8
        ? new SecretScanner(key)
        : SecretScanner.Of(new[] { "Bearer ", ":" }.Select(header =>
            ($"base64 of \"{header}key\"", " " + Convert.ToBase64String(Encoding.UTF8.GetBytes(header + key)) + ")")));
}
