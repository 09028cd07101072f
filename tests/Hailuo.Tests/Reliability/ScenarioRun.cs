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

/// <summary>The soak and the crash tests each load the machine: they run one after the other.</summary>
[CollectionDefinition(nameof(ReliabilityRuns))]
public sealed class ReliabilityRuns;
