using Hailuo.Downloads;
using Hailuo.Models;
using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>The harness section for part 5: https only, no key after a redirect, bounded downloads, bounded time.</summary>
public sealed class TransportSection : IBenchmark
{
    public string Id => "transport";

    public string Title => "5. Transport: https, redirects, download size, timeouts";

    public async Task<Section> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var section = new Section(Id, Title);
        var key = SecretScanner.NewCanary();
        var folder = Lab.Folder(context, "transport");

        context.Log("transport: base URIs");
        AddVerdicts(section, "base URIs: http refused unless loopback", TransportChecks.BaseUris.SelectMany(b => TransportChecks.CheckBaseUri(b.Uri, b.Allowed, key)).ToList());
        section.Note("Base URIs, for each of the four providers, as a client and through Connect-Hailuo's session: refused "
            + string.Join(", ", TransportChecks.BaseUris.Where(b => !b.Allowed).Select(b => $"`{b.Uri}`")) + "; allowed "
            + string.Join(", ", TransportChecks.BaseUris.Where(b => b.Allowed).Select(b => $"`{b.Uri}`")) + ".");
        context.Log("transport: redirect targets");
        var redirects = (await TransportChecks.CheckRedirectTargetsAsync(key, cancellationToken))
            .Append(await TransportChecks.CheckHttpsDowngradeAsync(key, cancellationToken)).ToList();
        AddVerdicts(section, "redirects: never off https, http only loopback to loopback", redirects);
        section.Note("Redirects of a status read: " + string.Join("; ", redirects.Select(r => $"{r.Case}: {(r.Passed ? "right" : "**wrong**")} ({r.Detail})")) + ".");

        context.Log("transport: whole jobs through redirects to other origins");
        var runs = await Task.WhenAll(
            from origin in TransportChecks.OtherOrigins
            from provider in Enum.GetValues<HailuoProvider>()
            select TransportChecks.RunThroughRedirectsAsync(provider, origin, key, folder, cancellationToken));
        foreach (var group in runs.GroupBy(r => r.OtherOrigin))
        {
            var failures = group.Where(r => r.Failure is not null || r.KeyAtApi == 0 || r.AtOther == 0).ToList();
            var keyed = group.Sum(r => r.KeyAtOther);
            section.Add(new Figure(
                $"key at another origin after a redirect: {group.Key}",
                $"{keyed} of {group.Sum(r => r.AtOther)} requests",
                $"4 providers: {string.Join("; ", group.Select(r => $"{r.Provider} {string.Join(", ", r.Operations)}"))}",
                "",
                "0, every job completed",
                keyed == 0 && failures.Count == 0,
                keyed > 0 ? $"the key reached {group.Key} {keyed} time(s)"
                    : failures.Count > 0 ? string.Join("; ", failures.Select(f => $"{f.Provider}: {f.Failure ?? "the redirect was not exercised"}")) : null,
                FailsRun: true));
        }

        context.Log("transport: download size");
        AddVerdicts(section, "downloads bounded in size", await TransportChecks.CheckDownloadSizeAsync(folder, cancellationToken), each: true);

        var plan = context.Quick ? TimeoutPlan.Short : TimeoutPlan.Long;
        context.Log($"transport: timeouts ({plan})");
        var timeouts = await TransportChecks.CheckTimeoutsAsync(plan, folder, cancellationToken);
        foreach (var v in timeouts)
        {
            section.Add(new Figure(
                $"time to fail: {v.Operation}, server {Describe(v.Behaviour)}",
                $"{v.Measured.TotalSeconds:0.00} s",
                $"{v.Bound.TotalSeconds:0.00} s",
                $"{v.Measured.TotalSeconds / v.Bound.TotalSeconds:0.00}",
                $"within the bound (+{TimeoutVerdict.Allowance.TotalSeconds:0} s), with a clear error",
                v.WithinBound,
                v.WithinBound ? null : v.Outcome,
                FailsRun: true));
        }

        // What each kind of operation said when it gave up, once each: the error a runbook gets.
        section.Note("What each operation said when it gave up (against a silent server): " + string.Join("; ", timeouts
            .Where(v => v.Behaviour == Hostility.Silent)
            .GroupBy(v => v.Operation.Split(' ')[0])
            .Select(g => $"{g.Key}: \"{g.First().Outcome}\"")) + ". A create is retried only while its body has not gone out (the client "
            + "waits up to 1 s for the server's 100 Continue, then sends it anyway); once it has, it is not sent again, as it may have been "
            + "accepted and charged, and that attempt ends it with OutcomeUnknown.");
        var api = new HailuoClientOptions();
        var download = new DownloadOptions();
        section.Note($"Timeout bounds: an API call takes at most attempt timeout x (retries + 1) + the longest backoff between attempts; a download "
            + "at most read timeout x attempts + the longest backoff, when no attempt moves the minimum speed's worth of bytes. "
            + $"This run: attempt {plan.AttemptTimeout.TotalSeconds:0.#} s, {plan.MaxRetries} retries, backoff {plan.RetryBaseDelay.TotalSeconds:0.#} s doubling "
            + $"to {plan.RetryMaxDelay.TotalSeconds:0.#} s, trickle one byte every {plan.TrickleInterval.TotalSeconds:0.#} s; worst of {plan.Repeats} run(s) each. "
            + $"With the defaults the same formulas give {TimeoutPlan.ApiBound(api).TotalSeconds:0.#} s for an API call "
            + $"({api.AttemptTimeout.TotalSeconds:0} s x {api.MaxRetries + 1} + backoff) and {TimeoutPlan.DownloadBound(download).TotalSeconds:0.#} s for a download "
            + $"({download.ReadTimeout.TotalSeconds:0} s x {download.MaxAttempts} + backoff). Wait-HailuoJob without -Timeout waits for the job, as Wait-Job does: "
            + "each status read is bounded as above, and the wait ends at -Timeout.");
        section.Note("Servers: the emulator, loopback relays (Kestrel, one on 127.0.0.2, one with a throw-away certificate for https) that record "
            + "the credentials they receive, and a raw TCP server that accepts and stays silent, sends headers then stalls, trickles, or frames its body wrongly. "
            + "\"Another origin\" is localhost for 127.0.0.1, another port of 127.0.0.1, or 127.0.0.2; the mirror there relays to the emulator with a key of its own, "
            + "so every job completes. The API origin receiving the key is checked too, so that a zero at the mirror is not a recorder that sees nothing.");
        return section;
    }

    private static void AddVerdicts(Section section, string name, IReadOnlyList<TransportVerdict> verdicts, bool each = false)
    {
        if (each)
        {
            foreach (var v in verdicts)
            {
                section.Add(new Figure($"{name}: {v.Case}", v.Detail, "", "", "refused or cut at the limit, nothing partial left", v.Passed, v.Passed ? null : v.Detail, FailsRun: true));
            }
            return;
        }
        var failed = verdicts.Where(v => !v.Passed).ToList();
        section.Add(new Figure(
            name,
            $"{verdicts.Count - failed.Count} of {verdicts.Count} cases right",
            $"{verdicts.Count} cases, listed below",
            "",
            "all",
            failed.Count == 0,
            failed.Count > 0 ? string.Join("; ", failed.Take(3).Select(f => $"{f.Case}: {f.Detail}")) : null,
            FailsRun: true));
    }

    private static string Describe(Hostility behaviour) => behaviour switch
    {
        Hostility.Silent => "accepts and stays silent",
        Hostility.HeadersThenStall => "sends headers, then stalls",
        Hostility.Trickle => "trickles a byte at a time",
        _ => behaviour.ToString(),
    };
}
