namespace Hailuo.Tests.Reliability;

/// <summary>A reliability scenario, run once for all the tests of a class, in a temp folder removed afterwards.</summary>
public abstract class ScenarioRun<T> : IAsyncLifetime
    where T : class
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hailuo-reliability-").FullName;

    public T Result { get; private set; } = null!;

    protected abstract Task<T> RunAsync(string folder, CancellationToken cancellationToken);

    public async Task InitializeAsync()
    {
        // Far beyond what the short versions need: a hung run must fail, not hang CI.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        Result = await RunAsync(_folder, deadline.Token);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>Several runs of one scenario, one after the other, each in a folder of its own, once for all the tests of a class.</summary>
public abstract class ScenarioRuns<TSettings, TResult> : ScenarioRun<IReadOnlyList<TResult>>
{
    protected abstract IEnumerable<TSettings> Plan { get; }

    protected abstract Task<TResult> RunOneAsync(TSettings settings, string folder, CancellationToken cancellationToken);

    protected override async Task<IReadOnlyList<TResult>> RunAsync(string folder, CancellationToken cancellationToken)
    {
        var results = new List<TResult>();
        foreach (var settings in Plan)
        {
            var own = Directory.CreateDirectory(Path.Combine(folder, results.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
            results.Add(await RunOneAsync(settings, own, cancellationToken));
        }
        return results;
    }
}

/// <summary>The reliability scenarios each load the machine: they run one after the other.</summary>
[CollectionDefinition(nameof(ReliabilityRuns))]
public sealed class ReliabilityRuns;
