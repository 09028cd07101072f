using System.Collections.Generic;
using System.Linq;
using Hailuo.Providers;

namespace Hailuo.PowerShell.Completion;

/// <summary>The providers: CoreToday, Cloudflare, Replicate, MiniMax.</summary>
public sealed class ProviderCompleter : StaticSetCompleter
{
    // Read from the engine's profiles, so that a provider it gains is offered too.
    private static readonly IReadOnlyList<string> Names = ProviderProfiles.All.Select(profile => profile.Name).ToList();

    public override IReadOnlyList<string> Values => Names;
}
