using System;
using System.Collections.Generic;
using Hailuo.Ledger;
using Hailuo.Models;

namespace Hailuo.Tracking;

/// <summary>What the ledger's finished jobs say about how long jobs take, for a session that has not seen any finish yet.</summary>
internal static class LedgerHistory
{
    /// <summary>
    /// Teaches <paramref name="model"/> the recent succeeded jobs of this provider and account (the newest
    /// <see cref="DurationModel.Window"/> of each kind, oldest first, as they happened); returns how many. Another
    /// account's jobs stay out: an emulator key's jobs, at its scaled clock, must not teach a real key's session.
    /// </summary>
    public static int Teach(DurationModel model, JobLedger ledger, HailuoProvider provider, string account)
    {
        var perKind = new Dictionary<JobKind, List<TimeSpan>>();
        // Newest first.
        foreach (var entry in ledger.List(new LedgerQuery { Provider = provider, Status = JobStatus.Succeeded }))
        {
            if (!string.Equals(entry.Account, account, StringComparison.Ordinal) || entry.CompletedAt is not { } completed)
            {
                continue;
            }
            var fromStart = entry.StartedAt is not null;
            var took = completed - (entry.StartedAt ?? entry.CreatedAt);
            if (took <= TimeSpan.Zero)
            {
                continue;
            }
            var kind = JobKind.For(provider, entry.Model, entry.Request, fromStart);
            if (!perKind.TryGetValue(kind, out var durations))
            {
                durations = new List<TimeSpan>();
                perKind[kind] = durations;
            }
            if (durations.Count < DurationModel.Window)
            {
                durations.Add(took);
            }
        }
        var taught = 0;
        foreach (var pair in perKind)
        {
            for (var i = pair.Value.Count - 1; i >= 0; i--)
            {
                model.Observe(pair.Key, pair.Value[i]);
                taught++;
            }
        }
        return taught;
    }
}
