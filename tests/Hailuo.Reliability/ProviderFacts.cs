using Hailuo.Models;

namespace Hailuo.Reliability;

/// <summary>What the engine's adapter for a provider allows (src/Hailuo/Providers), for the sections that report per provider.</summary>
public static class ProviderFacts
{
    /// <summary>The provider has a call that lists the account's jobs, in which a create whose answer was lost can be found.</summary>
    public static bool ListsJobs(HailuoProvider provider) => Adapter(provider).BuildListCreated(DateTimeOffset.UtcNow) is not null;

    /// <summary>The engine sends this provider's creates one at a time, so that a kill strands at most one.</summary>
    public static bool SendsCreatesOneAtATime(HailuoProvider provider) => Adapter(provider).SendsCreatesOneAtATime;

    private static Providers.ProviderAdapter Adapter(HailuoProvider provider) => HailuoClient.CreateAdapter(new HailuoClientOptions(provider));
}
