using Hailuo.Models;
using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>docs/reliability.md, the short-key section: keys that occur in ids and JSON, and a key echoed in every encoding.</summary>
public sealed class KeySection : IBenchmark
{
    /// <summary>Keys that occur in job ids and JSON (hex ids hold "a" and "0"), and a long one.</summary>
    public static IReadOnlyList<string> ShortKeys { get; } = ["k", "a", "0"];

    public string Id => "keys";

    public string Title => "8. Short keys and echoed keys: blanked in what is shown, never in what is parsed";

    /// <summary>Every key on both providers; the smoke pass (and the xunit test) tries each key once: the short ones on core.today, the long one on Replicate.</summary>
    public static IReadOnlyList<KeySettings> Plan(bool quick)
    {
        if (quick)
        {
            var bound = TimeSpan.FromSeconds(30);
            return [.. ShortKeys.Select(key => new KeySettings(key, HailuoProvider.CoreToday, 3, bound, TimeScale: 0.002)),
                new KeySettings(SecretScanner.NewCanary(), HailuoProvider.Replicate, 3, bound, TimeScale: 0.002)];
        }
        return
        [
            .. from key in ShortKeys.Append(SecretScanner.NewCanary())
               from provider in new[] { HailuoProvider.CoreToday, HailuoProvider.Replicate }
               select new KeySettings(key, provider, 20, TimeSpan.FromSeconds(60)),
        ];
    }

    public async Task<Section> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var results = new List<KeyResult>();
        foreach (var settings in Plan(context.Quick))
        {
            var result = await KeyScenario.RunAsync(settings, Lab.Folder(context, "keys"), cancellationToken);
            context.Log($"   {settings.Describe()}: {result.Seconds:0.0} s, {result.Rows.Saved.Count} saved, {result.Rows.Failed.Count} failed, " +
                $"{result.Echoes} echoes, {result.Leaks.Count} leaks");
            foreach (var leak in result.Leaks.Take(5))
            {
                context.Log("   leak: " + leak);
            }
            results.Add(result);
        }
        var section = new Section(Id, Title);
        foreach (var figure in Figures(results))
        {
            section.Add(figure);
        }
        var s = results[0].Settings;
        section.Note($"Each batch: {s.Rows} CSV rows through `New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo` (the cmdlets' command logic) under the " +
            $"key, against the emulator (which accepts only that key) behind a loopback relay that echoes the key it is sent into every error text " +
            "(`LoopbackRelay.EchoForms`: as is, JSON-escaped, URL-encoded, base64 of `Bearer key` and of `:key`), under the faults " +
            $"`{KeySettings.Faults}`; time scale {s.TimeScale}; each batch must end within {s.Bound.TotalSeconds:0} s.");
        section.Note("Scanned: every record the commands wrote (output, error, warning, verbose, debug, progress), every engine log line, the ledger, " +
            "and every file under the batch's folder. The long key (`" + SecretScanner.CanaryPrefix + "` and 32 random base64 characters) is searched in " +
            "every form: " + string.Join(", ", results.Last().Scanner.Needles.Select(n => n.Form).Distinct()) + ". A one-character key is a letter " +
            "or digit of ordinary words, ids and videos, so as is (and JSON-escaped and URL-encoded, which leave it the same) it cannot be searched for; the " +
            "engine blanks every occurrence of it in words. Its encoded forms stay distinct and are searched for as the relay echoes them: " +
            string.Join(", ", KeyScenario.ScannerFor(ShortKeys[0]).Needles.Select(n => n.Form)) + ".");
        return section;
    }

    public static IEnumerable<Figure> Figures(IReadOnlyList<KeyResult> results)
    {
        string Each(Func<KeyResult, string> describe) => string.Join("; ", results.Select(r => $"{r.Settings.Describe()}: {describe(r)}"));
        var bound = results[0].Settings.Bound;
        yield return Requirement.Of(
            "Every batch ends, each row a file or an error, with the provider's job ids as they came",
            Each(r => $"{r.Rows.Saved.Count} saved + {r.Rows.Failed.Count} errors of {r.Settings.Rows} in {r.Seconds:0.0} s" +
                (r.AlteredIds.Count == 0 ? "" : $", {r.AlteredIds.Count} ids altered") + (r.Rows.Unaccounted.Count == 0 ? "" : $", {r.Rows.Unaccounted.Count} unaccounted")),
            $"{bound.TotalSeconds:0} s a batch", $"{results.Max(r => r.Seconds) / bound.TotalSeconds:0.00}",
            "every row a file or an error within the bound; every saved job one the provider made",
            results.All(r => r.EveryRowEnded),
            Each(r => $"ended {r.Ended}, unaccounted {string.Join(" ", r.Rows.Unaccounted.Take(5))}, altered {string.Join(" ", r.AlteredIds.Take(2))}"));
        yield return Requirement.Of(
            "Duplicate paid creates (the emulator's count of repeated inputs)",
            Each(r => $"{r.Provider.DuplicateCreates} ({r.Provider.Creates} jobs)"),
            "0", "", "0",
            results.All(r => r.Provider.NonePaidTwice),
            Each(r => $"{r.Provider.DuplicateCreates}"));
        yield return Requirement.Of(
            "Key occurrences, in any encoding, in records, log lines, the ledger and files",
            Each(r => $"{r.Leaks.Count} in {r.Scanned:N0} items"),
            "0", "", "0",
            results.All(r => r.Leaks.Count == 0 && r.Scanned > 0),
            string.Join("; ", results.SelectMany(r => r.Leaks.Select(l => $"{r.Settings.Describe()}: {l}")).Take(4)));
        yield return Requirement.Of(
            "Error texts that came back with the key in them (the relay's echoes), and the faults that made errors",
            Each(r => $"{r.Echoes} echoes, {r.Rows.Failed.Count} rows failed ({r.Rows.FailuresByKind()})"),
            "each > 0", "", "every batch met echoed keys",
            results.All(r => r.Echoes > 0),
            Each(r => $"{r.Echoes}"));
        var planted = results.Select(r => r.Scanner).SelectMany(s => s.Needles.Select(n => (s, n))).ToList();
        var missed = planted.Where(p => p.s.Find("before" + p.n.Needle + "after").Count == 0).Select(p => p.n.Form).ToList();
        yield return Requirement.Of(
            "The scan sees each form it searches for, planted in a text",
            $"{planted.Count - missed.Count} of {planted.Count}",
            "", "", "all seen",
            missed.Count == 0,
            string.Join(", ", missed.Take(4)));
    }
}
