using System.Globalization;
using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>The harness section for part 4: the key in nothing a run writes, with the scan's size beside each zero.</summary>
public sealed class SecretSection : IBenchmark
{
    public string Id => "secrets";

    public string Title => "4. Secret hygiene: the API key in nothing written";

    public async Task<Section> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var plan = new SecretPlan
        {
            Folder = Lab.Folder(context, "secrets"),
            Rounds = context.Quick ? 1 : 3,
            Rows = context.Quick ? 1 : 3,
            Progress = context.Log,
        };
        // Connect-Hailuo persists under HAILUO_CONFIG_HOME; this process is the suite's own, so it may point it here.
        Environment.SetEnvironmentVariable("HAILUO_CONFIG_HOME", Path.Combine(plan.Folder, "config-home"));
        var planted = SecretHygiene.PlantedMisses(Lab.Folder(context, "planted"));
        context.Log($"secrets: {plan.Providers.Count} providers x {plan.Origins.Count} key sources x {plan.Rounds} rounds");
        var report = await SecretHygiene.RunAsync(plan, cancellationToken);
        context.Log($"secrets: {report.Operations} operations in {report.Elapsed.TotalSeconds:0.0} s, {report.Scanner.TotalItems} items scanned");
        foreach (var leak in report.Scanner.Leaks.Distinct())
        {
            context.Log("leak: " + leak);
        }
        return Describe(report, planted, Title);
    }

    public static Section Describe(SecretReport report, (int Plantings, IReadOnlyList<string> Misses) planted, string title)
    {
        var section = new Section("secrets", title);
        var scanner = report.Scanner;
        foreach (var (place, what) in Places)
        {
            var tally = scanner.TallyOf(place);
            var leaks = scanner.LeaksIn(place).ToList();
            section.Add(new Figure(
                $"key in {what}",
                $"{leaks.Count} in {Count(tally.Items)} {Unit(place)} ({Kb(tally.Bytes)})",
                "0",
                "",
                "0 occurrences",
                leaks.Count == 0 && tally.Items > 0,
                leaks.Count > 0 ? string.Join("; ", leaks.Distinct().Take(3)) : tally.Items == 0 ? "nothing was scanned" : null,
                FailsRun: true));
        }
        section.Add(new Figure(
            "scanner sees a planted key",
            $"{planted.Plantings - planted.Misses.Count} of {planted.Plantings} plantings",
            "every form in text, record, inner exception, exception Data, UTF-8 and UTF-16 file; a JSON ledger line",
            "",
            "all seen",
            planted.Misses.Count == 0,
            planted.Misses.Count > 0 ? string.Join("; ", planted.Misses.Take(3)) : null,
            FailsRun: true));
        section.Add(new Figure(
            "the run exercised what it claims",
            $"{report.Operations} operations, {report.FaultsInjected} faults injected, {report.AuthFailures} wrong-key refusals, {report.EchoedAnswers} echoed answers, {report.VideosSaved} videos saved",
            "each > 0",
            "",
            "every phase ran",
            report.Operations > 0 && report.FaultsInjected > 0 && report.AuthFailures > 0 && report.EchoedAnswers > 0 && report.VideosSaved > 0,
            FailsRun: true));
        section.Add(new Figure(
            "operations that escaped command logic or hung",
            report.Failures.Count.ToString(CultureInfo.InvariantCulture),
            "0",
            "",
            "0",
            report.Failures.IsEmpty,
            report.Failures.IsEmpty ? null : string.Join("; ", report.Failures.Take(3)),
            FailsRun: true));

        section.Note($"Keys: two random canaries (`{SecretScanner.CanaryPrefix}` and 32 base64 characters, with a `+` and a `/` so that URL and JSON "
            + "encoding change them): the one the emulator accepts and a wrong one a user might connect with. Forms searched: "
            + string.Join(", ", scanner.Needles.Select(n => n.Form).Distinct()) + "; files in UTF-8 and UTF-16.");
        section.Note($"Run: {report.Runs} sessions (4 providers x environment variable and -ApiKey x rounds), {report.Operations} operations in "
            + $"{report.Elapsed.TotalSeconds:0.0} s real: Connect-Hailuo, New-HailuoVideo (with an invalid row, and with -Wait), Get-, Wait-, Stop-HailuoJob, "
            + "Save-HailuoVideo, the ledger list and Disconnect-Hailuo, each phase clean, under each fault mix (`"
            + string.Join("`, `", SecretPlan.AllFaults) + "`), with a wrong key, and through a loopback relay that echoes the key it is sent into "
            + "every error text, as is, JSON-escaped, URL-encoded and inside base64 of `Bearer key` and of `:key` (`LoopbackRelay.EchoForms`; in front of a "
            + "damaged body, raw and JSON-escaped too).");
        section.Note("Records per stream: " + string.Join(", ", report.Streams.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}"))
            + $". Exceptions: {report.FirstChanceExceptions} thrown anywhere in the process while the run lasted (first chance, caught or not), "
            + "each with its inner exceptions and Data. Files: everything under the run's folder at the end (ledgers, lock files, videos), and "
            + "connection.json each time Connect-Hailuo wrote it, before Disconnect-Hailuo removed it.");
        return section;
    }

    private static readonly (SecretPlace Place, string What)[] Places =
    [
        (SecretPlace.Streams, "output, warning, verbose, debug, progress and confirmation records"),
        (SecretPlace.ErrorRecords, "error records"),
        (SecretPlace.Exceptions, "exceptions (ToString, inner, Data)"),
        (SecretPlace.Log, "debug and verbose log lines"),
        (SecretPlace.Ledger, "the ledger"),
        (SecretPlace.Configuration, "the connection configuration"),
        (SecretPlace.Files, "other files written (videos, locks)"),
    ];

    private static string Unit(SecretPlace place) => place switch
    {
        SecretPlace.Exceptions => "exceptions",
        SecretPlace.Log => "lines",
        SecretPlace.Ledger or SecretPlace.Configuration or SecretPlace.Files => "files",
        _ => "records",
    };

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Kb(long bytes) => bytes >= 1 << 20 ? $"{bytes / 1048576.0:0.#} MB" : $"{bytes / 1024.0:0.#} KB";
}
