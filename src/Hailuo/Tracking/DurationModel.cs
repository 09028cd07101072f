using System;
using System.Collections.Generic;
using Hailuo.Models;

namespace Hailuo.Tracking;

/// <summary>
/// How long jobs take, per provider, resolution and duration: a prior from what the providers
/// publish, refined by every job that completes (a running mean and variance).
/// </summary>
public sealed class DurationModel
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Stats> _stats = new(StringComparer.Ordinal);
    private readonly double _scale;

    public DurationModel(double timeScale = 1.0)
    {
        _scale = timeScale;
    }

    private sealed class Stats
    {
        public double Count;
        public double Mean;
        public double M2;
    }

    /// <summary>What a job of this kind is expected to take from start to finish, before any is seen.</summary>
    public static TimeSpan Prior(string resolution, int duration) => (resolution, duration) switch
    {
        ("1080p", _) => TimeSpan.FromSeconds(210),
        (_, 10) => TimeSpan.FromSeconds(180),
        _ => TimeSpan.FromSeconds(120),
    };

    public (TimeSpan Mean, TimeSpan StdDev) Estimate(HailuoProvider provider, string resolution, int duration)
    {
        lock (_gate)
        {
            var s = Get(provider, resolution, duration);
            var variance = s.Count > 1 ? s.M2 / (s.Count - 1) : 0;
            return (TimeSpan.FromSeconds(s.Mean), TimeSpan.FromSeconds(Math.Sqrt(variance)));
        }
    }

    /// <summary>Learns from a job that ran for <paramref name="observed"/>.</summary>
    public void Observe(HailuoProvider provider, string resolution, int duration, TimeSpan observed)
    {
        if (observed <= TimeSpan.Zero)
        {
            return;
        }
        lock (_gate)
        {
            var s = Get(provider, resolution, duration);
            s.Count++;
            var delta = observed.TotalSeconds - s.Mean;
            s.Mean += delta / s.Count;
            s.M2 += delta * (observed.TotalSeconds - s.Mean);
        }
    }

    private Stats Get(HailuoProvider provider, string resolution, int duration)
    {
        var key = $"{provider}|{resolution}|{duration}";
        if (!_stats.TryGetValue(key, out var s))
        {
            // Pseudo-observations worth a standard deviation of 8 % of the prior: enough to start with,
            // and outweighed as soon as real jobs complete.
            var mean = Prior(resolution, duration).TotalSeconds * _scale;
            var spread = mean * 0.08;
            s = new Stats { Count = 2, Mean = mean, M2 = spread * spread };
            _stats[key] = s;
        }
        return s;
    }
}
