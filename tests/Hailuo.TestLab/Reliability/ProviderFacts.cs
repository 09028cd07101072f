using Hailuo.Models;

namespace Hailuo.Reliability;

/// <summary>What the engine's adapter for a provider allows (src/Hailuo/Providers), for the sections that report per provider.</summary>
public static class ProviderFacts
{
    /// <summary>The provider has a call that lists the account's jobs, in which a create whose answer was lost can be found.</summary>
    public static bool ListsJobs(HailuoProvider provider) => Providers.ProviderProfiles.For(provider).ListsCreatedJobs;

    /// <summary>The engine sends this provider's creates one at a time with its default options, so that a kill strands at most one.</summary>
    public static bool SendsCreatesOneAtATime(HailuoProvider provider) =>
        Providers.ProviderProfiles.For(provider).SendsCreatesOneAtATime(new HailuoClientOptions(provider));
}
