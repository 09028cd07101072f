using System;
using System.Collections.Generic;
using Hailuo.Models;

namespace Hailuo.Tracking;

/// <summary>
/// Jobs that finished recently, so that a caller holding an old snapshot learns the outcome without a poll. Bounded:
/// the oldest are forgotten first. Not thread-safe: the <see cref="JobTracker"/> uses it under its lock.
/// </summary>
internal sealed class RecentFinals
{
    private const int Memory = 100_000;

    private readonly Dictionary<string, HailuoJob> _finished = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public bool TryGet(string id, out HailuoJob job) => _finished.TryGetValue(id, out job);

    public void Remember(HailuoJob job)
    {
        if (!_finished.ContainsKey(job.Id))
        {
            _order.Enqueue(job.Id);
        }
        _finished[job.Id] = job;
        while (_order.Count > Memory)
        {
            _finished.Remove(_order.Dequeue());
        }
    }
}
