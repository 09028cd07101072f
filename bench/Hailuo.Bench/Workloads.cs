using System.Globalization;
using Hailuo.Emulator;
using Hailuo.Emulator.Core;

namespace Hailuo.Bench;

/// <summary>
/// One batch as the emulator serves it: how many jobs, how many run at once at the provider (the rest wait in its
/// queue), each job's generation time (emulator's --generation-time), refusals and a change of pace. None of them is
/// the tracker's old 2-minute prior, and only the narrow one (2 min ±10 %) is close to it, for comparison.
/// </summary>
public sealed record Workload(string Id, string Name, int Jobs, int Concurrency, double TimeScale, string GenerationTime)
{
    public string? Refusals { get; init; }

    public string? PaceShift { get; init; }

    /// <summary>The goal for the tracker's status calls against the 5 s poller's, where it sets one.</summary>
    public double? CallsGoal { get; init; }

    /// <summary>The emulator's options for this workload, as on its command line.</summary>
    public string CommandLine => string.Join(" ", new[]
    {
        $"--concurrency {Lab.ProviderName}={Concurrency}",
        $"--generation-time {GenerationTime}",
        Refusals is null ? null : $"--refusals {Refusals}",
        PaceShift is null ? null : $"--pace-shift {PaceShift}",
    }.Where(o => o is not null));

    public void Configure(EmulatorOptions options)
    {
        options.GenerationSeconds.Clear(); // the lab's fixed 2 minutes would stand in for the distribution
        options.Concurrency[Lab.ProviderName] = Concurrency;
        options.GenerationTime[EmulatorOptions.StandardModel] = Emulator.Core.GenerationTime.Parse(GenerationTime);
        options.Refusals = Refusals is null ? null : Emulator.Core.Refusals.Parse(Refusals);
        options.PaceShift = PaceShift is null ? null : Emulator.Core.PaceShift.Parse(PaceShift);
    }

    /// <summary>
    /// The four workloads and the narrow one, sized so that jobs wait for slots (the bound is then a few
    /// generations long, so one detection delay is a small part of it) and at a clock where 0.5 s polling stays a real
    /// 15 ms or more.
    /// </summary>
    public static IReadOnlyList<Workload> All(bool quick)
    {
        if (quick)
        {
            // Smoke sizes: every path runs, in seconds; the figures mean nothing.
            return
            [
                new("published", "published 30-90 s", 6, 3, 0.002, "uniform:30-90") { CallsGoal = 0.8 },
                new("fast", "fast 3-10 s, every 5th refused at 2 s", 10, 3, 0.005, "uniform:3-10") { Refusals = "0.2@2", CallsGoal = 1 },
                new("slow", "slow 2-10 min, queued", 6, 3, 0.0005, "lognormal:120-600") { CallsGoal = 0.5 },
                new("shift", "30-90 s, then 3x slower", 6, 3, 0.002, "uniform:30-90") { PaceShift = "3@3" },
                new("narrow", "narrow 2 min ±10 %", 6, 3, 0.002, "uniform:108-132") { CallsGoal = 0.5 },
            ];
        }
        return
        [
            new("published", "published 30-90 s", 40, 20, 0.05, "uniform:30-90") { CallsGoal = 0.8 },
            new("fast", "fast 3-10 s, every 5th refused at 2 s", 100, 5, 0.1, "uniform:3-10") { Refusals = "0.2@2", CallsGoal = 1 },
            new("slow", "slow 2-10 min (log-normal: 90 % between, a tail beyond), queued 4 deep", 40, 10, 0.03, "lognormal:120-600") { CallsGoal = 0.5 },
            new("shift", "30-90 s, then 3x slower from the 31st job", 60, 20, 0.05, "uniform:30-90") { PaceShift = "3@30" },
            new("narrow", "narrow 2 min ±10 % (the old emulator default)", 40, 20, 0.05, "uniform:108-132") { CallsGoal = 0.5 },
        ];
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}: N = {Jobs}, C = {Concurrency}");
}
