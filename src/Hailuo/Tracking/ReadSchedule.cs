using System;
using System.Collections.Generic;
using System.Threading;

namespace Hailuo.Tracking;

/// <summary>
/// The jobs a <see cref="JobTracker"/> watches, by id: when each is read next, and the order of those that wait in the
/// provider's queue. Not thread-safe: the tracker changes it under its lock.
/// </summary>
internal sealed class ReadSchedule
{
    private readonly Dictionary<string, TrackedJob> _entries = new(StringComparer.Ordinal);
    private readonly SortedSet<(DateTimeOffset Due, long Sequence, string Id)> _schedule = new();
    // Jobs waiting in the provider's queue, oldest create first: a finish frees a slot for the first of them.
    private readonly SortedSet<(DateTimeOffset Created, long Sequence, string Id)> _queued = new();
    private long _sequence;

    public int Count => _entries.Count;

    public IEnumerable<TrackedJob> Jobs => _entries.Values;

    /// <summary>The earliest read scheduled; null when none is.</summary>
    public DateTimeOffset? NextDue => _schedule.Count > 0 ? _schedule.Min.Due : null;

    public bool TryGet(string id, out TrackedJob entry) => _entries.TryGetValue(id, out entry);

    public bool Contains(string id) => _entries.ContainsKey(id);

    public void Add(TrackedJob entry) => _entries[entry.Job.Id] = entry;

    /// <summary>Plans the job's next read at <paramref name="due"/>, replacing any planned before. True when it is now the earliest.</summary>
    public bool Schedule(TrackedJob entry, DateTimeOffset due)
    {
        if (entry.Scheduled is { } old)
        {
            _schedule.Remove(old);
        }
        var slot = (due, Interlocked.Increment(ref _sequence), entry.Job.Id);
        entry.Scheduled = slot;
        _schedule.Add(slot);
        return _schedule.Min == slot;
    }

    /// <summary>Moves every job whose read is due by <paramref name="now"/> out of the schedule into <paramref name="due"/>.</summary>
    public void TakeDue(DateTimeOffset now, List<TrackedJob> due)
    {
        while (_schedule.Count > 0 && _schedule.Min.Due <= now)
        {
            var slot = _schedule.Min;
            _schedule.Remove(slot);
            if (_entries.TryGetValue(slot.Id, out var entry) && entry.Scheduled == slot)
            {
                entry.Scheduled = null;
                due.Add(entry);
            }
        }
    }

    /// <summary>Puts the job in the provider's queue order, or takes it out, as <paramref name="waits"/> says.</summary>
    public void SetQueued(TrackedJob entry, bool waits)
    {
        if (waits && entry.QueuedSlot is null)
        {
            entry.QueuedSlot = (entry.Created, Interlocked.Increment(ref _sequence), entry.Job.Id);
            _queued.Add(entry.QueuedSlot.Value);
        }
        else if (!waits && entry.QueuedSlot is { } slot)
        {
            _queued.Remove(slot);
            entry.QueuedSlot = null;
        }
    }

    /// <summary>
    /// A slot at the provider freed at <paramref name="freed"/>: the oldest waiting job that no earlier freed slot went
    /// to is expected to start. Sets when each such job's slot freed (<see cref="TrackedJob.WakeAt"/>) and returns the
    /// jobs whose times that changed; none when every waiting job already has a slot.
    /// </summary>
    public List<TrackedJob> WakeQueued(DateTimeOffset freed)
    {
        var woken = new List<TrackedJob>();
        foreach (var slot in _queued)
        {
            if (!_entries.TryGetValue(slot.Id, out var entry))
            {
                continue;
            }
            woken.Add(entry);
            if (entry.WakeAt is null)
            {
                break;
            }
        }
        if (woken.Count == 0 || woken[woken.Count - 1].WakeAt is not null)
        {
            woken.Clear();
            return woken;
        }
        // The provider starts its queue in order as slots free, but finishes are noticed out of order: the earlier
        // a slot freed, the older the job it went to.
        var times = new List<DateTimeOffset>(woken.Count);
        foreach (var entry in woken)
        {
            times.Add(entry.WakeAt ?? freed);
        }
        times.Sort();
        for (var i = 0; i < woken.Count; i++)
        {
            woken[i].WakeAt = times[i];
        }
        return woken;
    }

    public void Remove(TrackedJob entry)
    {
        _entries.Remove(entry.Job.Id);
        if (entry.Scheduled is { } slot)
        {
            _schedule.Remove(slot);
            entry.Scheduled = null;
        }
        if (entry.QueuedSlot is { } queued)
        {
            _queued.Remove(queued);
            entry.QueuedSlot = null;
        }
    }

    /// <summary>Empties the schedule, returning the jobs it watched.</summary>
    public List<TrackedJob> Clear()
    {
        var left = new List<TrackedJob>(_entries.Values);
        _entries.Clear();
        _schedule.Clear();
        _queued.Clear();
        return left;
    }
}
