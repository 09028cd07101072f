// The filters JobLedger.List takes, and the test of one entry against them. Public and apart from
// LedgerIndex.cs, which runs it over the entries, so callers build queries without seeing the index.
using System;
using System.Collections.Generic;
using Hailuo.Models;

namespace Hailuo.Ledger;

/// <summary>Which ledger entries <see cref="JobLedger.List"/> returns. Unset fields match everything.</summary>
public sealed class LedgerQuery
{
    /// <summary>Only entries with this last status (entries with no status yet never match).</summary>
    public JobStatus? Status { get; init; }

    /// <summary>Only entries in this state, for example <see cref="LedgerState.OutcomeUnknown"/>.</summary>
    public LedgerState? State { get; init; }

    public HailuoProvider? Provider { get; init; }

    /// <summary>Only creates with no known outcome: sent (or about to be) with no job id recorded, nor a refusal.</summary>
    public bool Unsettled { get; init; }

    /// <summary>Only entries a listing shows: jobs, and creates with no known outcome (not refusals), so First counts those.</summary>
    public bool JobsAndUnsettled { get; init; }

    /// <summary>Only entries created at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only entries whose tag has this key (case-insensitive).</summary>
    public string? TagKey { get; init; }

    /// <summary>With <see cref="TagKey"/>: only entries whose tag value is exactly this (ordinal). Null: the key is enough.</summary>
    public string? TagValue { get; init; }

    /// <summary>Any other test on the tag; applied after <see cref="TagKey"/> and <see cref="TagValue"/>.</summary>
    public Func<IReadOnlyDictionary<string, string?>, bool>? TagFilter { get; init; }

    /// <summary>At most this many entries, the newest.</summary>
    public int? First { get; init; }

    public static LedgerQuery All { get; } = new();

    internal bool Matches(LedgerEntry entry)
    {
        if (Status is { } status && entry.Status != status)
        {
            return false;
        }
        if (State is { } state && entry.State != state)
        {
            return false;
        }
        if (Unsettled && !entry.IsUnsettled)
        {
            return false;
        }
        if (JobsAndUnsettled && entry.JobId is null && !entry.IsUnsettled)
        {
            return false;
        }
        if (Provider is { } provider && entry.Provider != provider)
        {
            return false;
        }
        if (Since is { } since && entry.CreatedAt < since)
        {
            return false;
        }
        if (TagKey is not null)
        {
            if (!entry.Tag.TryGetValue(TagKey, out var value))
            {
                return false;
            }
            if (TagValue is not null && !string.Equals(value, TagValue, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return TagFilter is null || TagFilter(entry.Tag);
    }
}
