using System;
using System.Collections.Generic;
using Hailuo.Models;

namespace Hailuo.PowerShell.Completion;

/// <summary>The providers: CoreToday, Cloudflare, Replicate, MiniMax.</summary>
public sealed class ProviderCompleter : StaticSetCompleter
{
    // Read from the engine, so that a provider it gains is offered too.
    private static readonly IReadOnlyList<string> Names = Enum.GetNames(typeof(HailuoProvider));

    public override IReadOnlyList<string> Values => Names;
}
