using System;
using System.Collections.Generic;
using Hailuo.Models;

namespace Hailuo.Tracking;

/// <summary>
/// What a job's duration is learned by: provider, model (Fast or standard), resolution and clip length, and whether it
/// is timed from the provider's own start (started_at) or, where the provider reports none, from the create.
/// </summary>
public readonly struct JobKind : IEquatable<JobKind>
{
    public JobKind(HailuoProvider provider, string model, string resolution, int duration, bool fromStart)
    {
        Provider = provider;
        Model = model;
        Resolution = resolution;
        Duration = duration;
        FromStart = fromStart;
    }

    public HailuoProvider Provider { get; }

    public string Model { get; }

    public string Resolution { get; }

    public int Duration { get; }

    /// <summary>True: from the provider's started_at to completion. False: from the create, queue included.</summary>
    public bool FromStart { get; }

    /// <summary>The kind of <paramref name="job"/>, with the request's defaults where the job does not say.</summary>
    public static JobKind Of(HailuoJob job, bool fromStart) => For(job.Provider, job.Model, job.Request, fromStart);

    /// <summary>The kind of a job of this model and request, with the request's defaults where it does not say.</summary>
    public static JobKind For(HailuoProvider provider, string? model, VideoRequest? request, bool fromStart) => new(
        provider,
        HailuoModels.Normalize(model) ?? HailuoModels.Standard,
        (request?.EffectiveResolution ?? VideoRequest.Resolution768).ToLowerInvariant(),
        request?.EffectiveDuration ?? VideoRequest.DefaultDuration,
        fromStart);

    public bool Equals(JobKind other) => Provider == other.Provider && FromStart == other.FromStart && Duration == other.Duration
        && string.Equals(Model, other.Model, StringComparison.Ordinal) && string.Equals(Resolution, other.Resolution, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is JobKind other && Equals(other);

    public override int GetHashCode()
    {
        unchecked
        {
            var hash = ((int)Provider * 397) ^ Duration ^ (FromStart ? 0x5bd1e995 : 0);
            hash = (hash * 397) ^ StringComparer.Ordinal.GetHashCode(Model ?? "");
            return (hash * 397) ^ StringComparer.Ordinal.GetHashCode(Resolution ?? "");
        }
    }

    public override string ToString() => $"{Provider} {Model} {Resolution} {Duration}s from {(FromStart ? "start" : "create")}";
}

/// <summary>When jobs of one kind finish, as far as is known: no earlier than <see cref="Low"/>, hardly later than <see cref="High"/>.</summary>
public readonly struct DurationEstimate
{
    public DurationEstimate(TimeSpan low, TimeSpan high, int samples, bool trusted, bool refusals = false)
    {
        Low = low;
        High = high;
        Samples = samples;
        Trusted = trusted;
        Refusals = refusals;
    }

    public TimeSpan Low { get; }

    public TimeSpan High { get; }

    /// <summary>Finished jobs behind the estimate; 0 means the published range alone.</summary>
    public int Samples { get; }

    /// <summary>Enough recent jobs agree that no job is expected to finish before <see cref="Low"/>.</summary>
    public bool Trusted { get; }

    /// <summary>The content filter refused some of the recent jobs of this kind: any job may end within seconds of its start.</summary>
    public bool Refusals { get; }
}

/// <summary>
/// How long jobs take, per <see cref="JobKind"/>: the published range until jobs finish, then the most recent
/// <see cref="Window"/> finished jobs only (from this process and, through the ledger, from earlier ones). A provider
/// that gets faster moves the window's start down with its first quick job; one that gets slower moves its end up at
/// once and its start up as the older, quicker jobs leave the window: late, which costs reads, never detection.
/// </summary>
public sealed class DurationModel
{
    /// <summary>The recent finished jobs an estimate rests on.</summary>
    public const int Window = 20;

    /// <summary>Finished jobs before an estimate is trusted.</summary>
    public const int TrustedAfter = 4;

    private readonly object _gate = new();
    private readonly Dictionary<JobKind, List<double>> _samples = new();
    // The last outcomes of each kind, true for a refusal: whether refusals come at all lately.
    private readonly Dictionary<JobKind, Queue<bool>> _outcomes = new();
    private readonly TimeProvider _clock;

    /// <param name="clock">
    /// The tracker's clock: the published range is the provider's time and passes at its pace (<see cref="EmulatedTime"/>);
    /// finished jobs are measured by the provider's own timestamps, so what they teach already does. Null is the system's.
    /// </param>
    public DurationModel(TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>
    /// The published generation times, before any job of a kind has finished: Hailuo 2.3 takes about 30-90 s a clip
    /// depending on queue load, Fast about 20-50 s.
    /// </summary>
    public static (TimeSpan Low, TimeSpan High) PublishedRange(string model) =>
        string.Equals(HailuoModels.Normalize(model), HailuoModels.Fast, StringComparison.Ordinal)
            ? (TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(50))
            : (TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(90));

    public DurationEstimate Estimate(JobKind kind)
    {
        lock (_gate)
        {
            return EstimateLocked(kind);
        }
    }

    /// <summary>
    /// Learns from a job of this kind that took <paramref name="observed"/>. True when the estimate now allows
    /// earlier or later finishes than before, or became trusted: jobs already planned should be planned again.
    /// </summary>
    public bool Observe(JobKind kind, TimeSpan observed)
    {
        if (observed <= TimeSpan.Zero)
        {
            return false;
        }
        lock (_gate)
        {
            var before = EstimateLocked(kind);
            if (!_samples.TryGetValue(kind, out var samples))
            {
                samples = new List<double>(Window + 1);
                _samples[kind] = samples;
            }
            samples.Add(observed.TotalSeconds);
            if (samples.Count > Window)
            {
                samples.RemoveAt(0);
            }
            RecordOutcomeLocked(kind, refused: false);
            var after = EstimateLocked(kind);
            return after.Low < before.Low || after.High > before.High || after.Trusted != before.Trusted;
        }
    }

    /// <summary>Learns that the content filter refused a job of this kind: a refusal says nothing of how long jobs take, but that one may end at any moment.</summary>
    public void ObserveRefusal(JobKind kind)
    {
        lock (_gate)
        {
            RecordOutcomeLocked(kind, refused: true);
        }
    }

    private void RecordOutcomeLocked(JobKind kind, bool refused)
    {
        if (!_outcomes.TryGetValue(kind, out var outcomes))
        {
            outcomes = new Queue<bool>(Window + 1);
            _outcomes[kind] = outcomes;
        }
        outcomes.Enqueue(refused);
        if (outcomes.Count > Window)
        {
            outcomes.Dequeue();
        }
    }

    private DurationEstimate EstimateLocked(JobKind kind)
    {
        var refusals = _outcomes.TryGetValue(kind, out var outcomes) && outcomes.Contains(true);
        if (!_samples.TryGetValue(kind, out var samples) || samples.Count == 0)
        {
            var (low, high) = PublishedRange(kind.Model);
            return new DurationEstimate(EmulatedTime.ProviderTime(_clock, low), EmulatedTime.ProviderTime(_clock, high), 0, trusted: false, refusals);
        }
        var min = double.MaxValue;
        var max = 0.0;
        foreach (var s in samples)
        {
            min = Math.Min(min, s);
            max = Math.Max(max, s);
        }
        if (samples.Count == 1)
        {
            return new DurationEstimate(TimeSpan.FromSeconds(min / 2), TimeSpan.FromSeconds(max * 2), 1, trusted: false, refusals);
        }
        // The extremes of n draws fall short of the true ones by about a (n - 1)-th of their spread, often by more: twice
        // that, in logarithms, since durations spread by factors (a long tail stretches the top, not the bottom).
        var spread = 2 * (Math.Log(max) - Math.Log(min)) / (samples.Count - 1);
        return new DurationEstimate(
            TimeSpan.FromSeconds(Math.Exp(Math.Log(min) - spread)),
            TimeSpan.FromSeconds(Math.Exp(Math.Log(max) + spread)),
            samples.Count,
            samples.Count >= TrustedAfter,
            refusals);
    }
}
