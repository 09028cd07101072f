using Hailuo.TestLab;

namespace Hailuo.Bench;

/// <summary>What the benchmarks' harness writes: docs/benchmarks.md, and the words above its tables.</summary>
public static class BenchSuite
{
    public static HarnessSpec Spec { get; } = new(
        "Benchmarks",
        "bench/Hailuo.Bench",
        "docs/benchmarks.md",
        "bench",
        [
            "Written by `dotnet run -c Release --project bench/Hailuo.Bench` (all of them, about 15 minutes) or `-- --only NAME`",
            "(one block; the others keep their figures and dates). The harness drives the engine against the in-process",
            "emulator with a scaled clock. **Every time is in the emulator's unscaled seconds**: real durations divided by",
            "the time scale, so \"90 s\" is the slowest of the published 30-90 s a clip. These are benchmarks, not timed tests:",
            "they print figures and fail only when they cannot measure. `.ci/run` runs `--quick`, a smoke pass of a few",
            "seconds whose sizes are too small to mean anything.",
        ]);
}
