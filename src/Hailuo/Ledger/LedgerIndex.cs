// The ledger's in-memory state: every job and intent as an immutable LedgerEntry, the indexes that make each
// lookup O(1), how each record type changes an entry, and the queries over them. It never touches the file
// (LedgerFile.cs does), so how records combine can be read, and tested, apart from how they are stored.
using System;
using System.Collections.Generic;
using System.Linq;
using Hailuo.Models;

namespace Hailuo.Ledger;

/// <summary>
/// The entries the ledger's records add up to, in the order first recorded, with indexes by key, by input, by job
/// id and by saved video. Not thread-safe: <see cref="JobLedger"/> holds its gate around every call.
/// </summary>
internal sealed class LedgerIndex : ILedgerState
{
    private readonly Dictionary<string, Slot> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<(HailuoProvider Provider, string Account, string InputHash), Slot> _byInput = new();
    private readonly Dictionary<(HailuoProvider Provider, string JobId), Slot> _byId = new();
    // Where each video was saved; checked against the entry on lookup, so a slot that moved on is not believed.
    private readonly Dictionary<string, Slot> _byVideoPath = new(StringComparer.Ordinal);
    private List<Slot> _order = new();
    private int _live;
    // Not reset by Clear: a key made up for a job first seen by its status ("job:...:N") stays unique.
    private long _sequence;

    /// <summary>Entries that stand for a job or an intent (not those folded into another).</summary>
    public int Jobs => _live;

    public int ByInputCount => _byInput.Count;

    public int ByIdCount => _byId.Count;

    /// <summary>Forgets everything applied, for a file read again from its start.</summary>
    public void Clear()
    {
        _byKey.Clear();
        _byInput.Clear();
        _byId.Clear();
        _byVideoPath.Clear();
        _order = new List<Slot>();
        _live = 0;
    }

    /// <summary>
    /// One snapshot record a job, in the order first recorded: what a compacted file holds. Entries folded into
    /// others are dropped from that order here, as they are from the file.
    /// </summary>
    public IEnumerable<LedgerRecord> Snapshots()
    {
        _order.RemoveAll(static slot => slot.Removed);
        return _order.Select(static slot => LedgerRecord.FromEntry(slot.Entry, slot.Entry.UpdatedAt));
    }

    // ---- Lookups -----------------------------------------------------------------------------------------

    /// <summary>The entry with this ledger key; null when there is none.</summary>
    public LedgerEntry? FindByKey(string key) =>
        _byKey.TryGetValue(key, out var slot) && !slot.Removed ? slot.Entry : null;

    /// <summary>The latest entry for this input; null when there is none.</summary>
    public LedgerEntry? FindByInput(HailuoProvider provider, string account, string inputHash) =>
        _byInput.TryGetValue((provider, account, inputHash), out var slot) ? slot.Entry : null;

    /// <summary>The entry for this job id; null when there is none.</summary>
    public LedgerEntry? FindById(HailuoProvider provider, string jobId) =>
        _byId.TryGetValue((provider, jobId), out var slot) ? slot.Entry : null;

    /// <summary>The entry whose video was last saved at <paramref name="fullPath"/>; null when there is none.</summary>
    public LedgerEntry? FindByVideoPath(string fullPath) =>
        _byVideoPath.TryGetValue(fullPath, out var slot) && !slot.Removed && slot.Entry.VideoPath == fullPath ? slot.Entry : null;

    /// <summary>
    /// Whether the entry with this key (which must be known) is still the latest for its input, or has no input
    /// that a newer entry could take over.
    /// </summary>
    public bool IsLatestForInput(string key)
    {
        var slot = _byKey[key];
        var entry = slot.Entry;
        return entry.Account is null || entry.InputHash is null
            || (_byInput.TryGetValue((entry.Provider, entry.Account, entry.InputHash), out var newest) && newest == slot);
    }

    /// <summary>The entries that match, in the order recorded, each with its place in that order.</summary>
    public List<(LedgerEntry Entry, long Sequence)> Matching(LedgerQuery query)
    {
        var matches = new List<(LedgerEntry Entry, long Sequence)>();
        foreach (var slot in _order)
        {
            if (!slot.Removed && query.Matches(slot.Entry))
            {
                matches.Add((slot.Entry, slot.Sequence));
            }
        }
        return matches;
    }

    /// <summary>
    /// The matches newest first (by <see cref="LedgerEntry.CreatedAt"/>, then by order recorded), at most
    /// <paramref name="first"/>. Static because the snapshots are immutable: it needs no lock.
    /// </summary>
    public static IReadOnlyList<LedgerEntry> NewestFirst(List<(LedgerEntry Entry, long Sequence)> matches, int? first)
    {
        matches.Sort(static (a, b) =>
        {
            var byTime = b.Entry.CreatedAt.CompareTo(a.Entry.CreatedAt);
            return byTime != 0 ? byTime : b.Sequence.CompareTo(a.Sequence);
        });
        var count = first is { } most ? Math.Min(most, matches.Count) : matches.Count;
        var result = new LedgerEntry[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = matches[i].Entry;
        }
        return result;
    }

    // ---- Applying records ----------------------------------------------------------------------------------

    /// <summary>Applies one record read from the file, in file order.</summary>
    public void Apply(LedgerRecord r)
    {
        switch (r.Type)
        {
            case LedgerRecord.Intent:
            {
                if (_byKey.ContainsKey(r.Key!))
                {
                    break;
                }
                var entry = new LedgerEntry(r.Key!, r.Provider!.Value)
                    .SetInput(r.Account, r.InputHash, r.Model, r.Request, r.Tag ?? LedgerEntry.NoTag, r.Row)
                    .SetOwner(r.Owner)
                    .SetState(LedgerState.Submitting)
                    .SetTimes(r.At, r.At);
                Index(Add(entry, fromIntent: true));
                break;
            }

            case LedgerRecord.Submitted:
            {
                if (!_byKey.TryGetValue(r.Key!, out var slot) || slot.Removed)
                {
                    break;
                }
                var entry = slot.Entry.Copy()
                    .SetState(LedgerState.Submitted, r.JobId)
                    .SetError(null)
                    .SetInput(null, null, r.Model, null, null)
                    .SetTimes(null, r.At);
                if (r.JobStatus is not null)
                {
                    entry.SetStatus(r.JobStatus, r.Error, r.StartedAt, r.CompletedAt, r.FileId, r.TaskId, r.VideoUri);
                }
                var id = (entry.Provider, r.JobId!);
                if (_byId.TryGetValue(id, out var other) && other != slot && !other.FromIntent)
                {
                    // The job was first seen by a status read before this record arrived: fold it in.
                    entry = Fold(entry, other.Entry);
                    Remove(other);
                }
                if (slot.Entry.JobId is { } oldId && oldId != r.JobId && _byId.TryGetValue((entry.Provider, oldId), out var was) && was == slot)
                {
                    _byId.Remove((entry.Provider, oldId));
                }
                slot.Entry = entry;
                _byId[id] = slot;
                IndexVideoPath(slot); // a download folded in from a status-only entry
                break;
            }

            case LedgerRecord.Unknown:
            case LedgerRecord.Rejected:
            {
                // A job id, once known, outranks a late "unknown" or "rejected".
                if (_byKey.TryGetValue(r.Key!, out var slot) && !slot.Removed && slot.Entry.State != LedgerState.Submitted)
                {
                    var state = r.Type == LedgerRecord.Rejected ? LedgerState.Rejected : LedgerState.OutcomeUnknown;
                    slot.Entry = slot.Entry.Copy().SetState(state).SetError(r.Error).SetTimes(null, r.At);
                }
                break;
            }

            case LedgerRecord.Status:
            {
                var slot = FindOrAddJob(r);
                slot.Entry = slot.Entry.Copy()
                    .SetState(LedgerState.Submitted, r.JobId)
                    .SetInput(null, null, r.Model, null, null)
                    .SetStatus(r.JobStatus, r.Error, r.StartedAt, r.CompletedAt, r.FileId, r.TaskId, r.VideoUri)
                    .SetTimes(null, r.At);
                break;
            }

            case LedgerRecord.Downloaded:
            {
                var slot = FindOrAddJob(r);
                slot.Entry = slot.Entry.Copy().SetDownload(r.VideoPath, r.VideoLength).SetDownloading(null, null).SetTimes(null, r.At);
                IndexVideoPath(slot);
                break;
            }

            case LedgerRecord.Downloading:
            {
                var slot = FindOrAddJob(r);
                slot.Entry = slot.Entry.Copy().SetDownloading(r.VideoPath, r.Owner).SetTimes(null, r.At);
                break;
            }

            case LedgerRecord.Abandoned:
            {
                if (_byId.TryGetValue((r.Provider!.Value, r.JobId!), out var slot))
                {
                    slot.Entry = slot.Entry.Copy().SetDownloading(null, null).SetTimes(null, r.At);
                }
                break;
            }

            case LedgerRecord.Snapshot:
            {
                var entry = new LedgerEntry(r.Key!, r.Provider!.Value)
                    .SetInput(r.Account, r.InputHash, r.Model, r.Request, r.Tag ?? LedgerEntry.NoTag, r.Row)
                    .SetState(r.State!.Value, r.JobId)
                    .SetStatus(r.JobStatus, r.Error, r.StartedAt, r.CompletedAt, r.FileId, r.TaskId, r.VideoUri)
                    .SetDownload(r.VideoPath, r.VideoLength)
                    .SetOwner(r.Owner)
                    .SetDownloading(r.DownloadingTo, r.Downloader)
                    .SetTimes(r.CreatedAt ?? r.At, r.At);
                if (_byKey.TryGetValue(r.Key!, out var slot) && !slot.Removed)
                {
                    slot.Entry = entry;
                }
                else
                {
                    slot = Add(entry, fromIntent: r.Account is not null);
                }
                Index(slot);
                break;
            }
        }
    }

    /// <summary>The entry for a status or download record's job, added when the ledger has not seen it.</summary>
    private Slot FindOrAddJob(LedgerRecord r)
    {
        if (_byId.TryGetValue((r.Provider!.Value, r.JobId!), out var slot))
        {
            return slot;
        }
        var key = $"job:{r.Provider}:{r.JobId}";
        if (_byKey.ContainsKey(key))
        {
            key += ":" + _sequence;
        }
        var entry = new LedgerEntry(key, r.Provider.Value)
            .SetInput(null, r.InputHash, r.Model, r.Request, r.Tag ?? LedgerEntry.NoTag)
            .SetState(LedgerState.Submitted, r.JobId)
            .SetTimes(r.CreatedAt ?? r.At, r.At);
        slot = Add(entry, fromIntent: false);
        _byId[(r.Provider.Value, r.JobId!)] = slot;
        return slot;
    }

    private static LedgerEntry Fold(LedgerEntry into, LedgerEntry from)
    {
        if (into.Status is null && from.Status is not null)
        {
            into.SetStatus(from.Status, from.Error, from.StartedAt, from.CompletedAt, from.FileId, from.TaskId, from.VideoUri);
        }
        if (into.VideoPath is null && from.VideoPath is not null)
        {
            into.SetDownload(from.VideoPath, from.VideoLength);
        }
        return into;
    }

    private Slot Add(LedgerEntry entry, bool fromIntent)
    {
        var slot = new Slot(entry, _sequence++, fromIntent);
        _byKey[entry.Key] = slot;
        _order.Add(slot);
        _live++;
        return slot;
    }

    private void Index(Slot slot)
    {
        var entry = slot.Entry;
        if (entry.Account is not null && entry.InputHash is not null)
        {
            _byInput[(entry.Provider, entry.Account, entry.InputHash)] = slot; // later lines win: the latest entry
        }
        if (entry.JobId is not null)
        {
            _byId[(entry.Provider, entry.JobId)] = slot;
        }
        IndexVideoPath(slot);
    }

    private void IndexVideoPath(Slot slot)
    {
        if (slot.Entry.VideoPath is { } path)
        {
            _byVideoPath[path] = slot;
        }
    }

    private void Remove(Slot slot)
    {
        slot.Removed = true;
        _byKey.Remove(slot.Entry.Key);
        _live--;
    }

    private sealed class Slot
    {
        public Slot(LedgerEntry entry, long sequence, bool fromIntent)
        {
            Entry = entry;
            Sequence = sequence;
            FromIntent = fromIntent;
        }

        /// <summary>The latest snapshot; replaced, never changed.</summary>
        public LedgerEntry Entry { get; set; }

        public long Sequence { get; }

        public bool FromIntent { get; }

        public bool Removed { get; set; }
    }
}
