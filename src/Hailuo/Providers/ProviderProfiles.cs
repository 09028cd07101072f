using System;
using System.Collections.Generic;
using System.Linq;
using Hailuo.Models;

namespace Hailuo.Providers;

/// <summary>
/// The engine's one list of providers: everything that differs by provider outside its adapter reads its
/// <see cref="ProviderProfile"/> from here. Adding a provider is one adapter, one profile in this list, and one emulator API.
/// </summary>
public static class ProviderProfiles
{
    /// <summary>Every provider, in the order of <see cref="HailuoProvider"/>: the order completion offers and messages list them.</summary>
    public static IReadOnlyList<ProviderProfile> All { get; } = new ProviderProfile[]
    {
        new CoreTodayProfile(),
        new CloudflareProfile(),
        new ReplicateProfile(),
        new MiniMaxProfile(),
    };

    private static readonly Dictionary<HailuoProvider, ProviderProfile> ByProvider = All.ToDictionary(profile => profile.Provider);

    public static ProviderProfile For(HailuoProvider provider) =>
        ByProvider.TryGetValue(provider, out var profile)
            ? profile
            : throw new ArgumentOutOfRangeException(nameof(provider), provider, "Not a provider the engine knows.");

    /// <summary>The display names of the providers that <paramref name="match"/>, as a sentence lists them: "a", "a or b", "a, b or c".</summary>
    internal static string DisplayNames(Func<ProviderProfile, bool> match, string conjunction) =>
        Sentence(All.Where(match).Select(profile => profile.DisplayName).ToList(), conjunction);

    /// <summary>The names users type, of the providers that <paramref name="match"/>, as a sentence lists them.</summary>
    internal static string Names(Func<ProviderProfile, bool> match, string conjunction) =>
        Sentence(All.Where(match).Select(profile => profile.Name).ToList(), conjunction);

    private static string Sentence(IReadOnlyList<string> names, string conjunction) =>
        names.Count <= 1 ? string.Concat(names) : string.Join(", ", names.Take(names.Count - 1)) + " " + conjunction + " " + names[names.Count - 1];
}
