using System.Collections.Generic;

namespace Hailuo.PowerShell.Completion;

/// <summary>The durations in seconds: 6, 10 (10 only at 768p, which the engine checks).</summary>
public sealed class DurationCompleter : StaticSetCompleter
{
    private static readonly IReadOnlyList<string> Durations = new[] { "6", "10" };

    public override IReadOnlyList<string> Values => Durations;
}
