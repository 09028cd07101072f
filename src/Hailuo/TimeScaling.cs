using System;

namespace Hailuo;

/// <summary>The one way a built-in time shrinks with <see cref="HailuoClientOptions.TimeScale"/> (the emulator's --time-scale).</summary>
internal static class TimeScaling
{
    // By ticks: netstandard2.0 has no TimeSpan * double.
    public static TimeSpan Scaled(this TimeSpan span, double scale) => TimeSpan.FromTicks((long)(span.Ticks * scale));
}
