using System.Collections.Concurrent;

namespace Hailuo.Emulator.Core;

/// <summary>
/// What each provider was asked and what it answered, for tests and benchmarks to assert against.
/// "Creates" counts the jobs that were really created, that is, paid for.
/// </summary>
public sealed class ProviderStats
{
    public long Requests;
    public long CreateRequests;
    public long Creates;
    public long StatusPolls;
    public long Cancels;
    public long Retrieves;
    public long Uploads;
    public long Lists;
    public long Downloads;
    public long BytesSent;
    public long FaultsInjected;
    public long RateLimited;
    public long AuthFailures;
    public long InvalidRequests;
    public long CallbacksDelivered;
    public long CallbacksFailed;
    public long HostileAnswers;

    public ConcurrentDictionary<string, long> FaultsByKind { get; } = new(StringComparer.Ordinal);

    /// <summary>How many times each identical input (by hash) was created.</summary>
    public ConcurrentDictionary<string, long> InputSubmissions { get; } = new(StringComparer.Ordinal);

    public void CountFault(FaultKind kind)
    {
        Interlocked.Increment(ref FaultsInjected);
        FaultsByKind.AddOrUpdate(kind.ToString(), 1, (_, n) => n + 1);
    }

    /// <summary>Creates beyond the first of each identical input: the ones a careful client never pays for.</summary>
    public long DuplicateCreates => InputSubmissions.Values.Sum(n => Math.Max(0, n - 1));
}

public sealed class EmulatorStats
{
    private ConcurrentDictionary<string, ProviderStats> _providers = NewTable();

    public ProviderStats For(string provider) => _providers.GetOrAdd(provider, _ => new ProviderStats());

    public IReadOnlyDictionary<string, ProviderStats> Providers => _providers;

    public void Reset() => _providers = NewTable();

    private static ConcurrentDictionary<string, ProviderStats> NewTable()
    {
        var table = new ConcurrentDictionary<string, ProviderStats>(StringComparer.Ordinal);
        foreach (var name in ProviderNames.All)
        {
            table[name] = new ProviderStats();
        }
        return table;
    }
}
