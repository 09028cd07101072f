using Hailuo.Reliability;

namespace Hailuo.Tests.Reliability;

/// <summary>One emulator per test class, which runs its cases one at a time.</summary>
public sealed class HostileLabFixture : IAsyncLifetime
{
    public HostileLab Lab { get; private set; } = null!;

    public async Task InitializeAsync() => Lab = await HostileLab.StartAsync();

    public async Task DisposeAsync() => await Lab.DisposeAsync();

    public static TheoryData<string> Cases(HostileGroup group) => new(HostileCatalog.Names(group));

    /// <summary>Runs one case of the hostile-input catalog and asserts every requirement it must meet.</summary>
    public async Task RunAsync(string name)
    {
        var root = Directory.CreateTempSubdirectory("hailuo-hostile-").FullName;
        try
        {
            var outcome = await Lab.RunAsync(HostileCatalog.Find(name), root, CancellationToken.None);
            Assert.True(outcome.Met, outcome.ToString());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

/// <summary>CSV rows: missing and extra columns, oversize cells, unicode and control characters, formulas.</summary>
public sealed class HostileCsvRowTests(HostileLabFixture lab) : IClassFixture<HostileLabFixture>
{
    public static TheoryData<string> Cases => HostileLabFixture.Cases(HostileGroup.CsvRow);

    [Theory]
    [MemberData(nameof(Cases))]
    public Task A_hostile_csv_row_gets_a_clear_error_or_a_safe_file_and_the_batch_goes_on(string name) => lab.RunAsync(name);
}

/// <summary>First-frame images: bad paths, wrong types, truncated and oversize files, hostile URLs and data URIs.</summary>
public sealed class HostileImageTests(HostileLabFixture lab) : IClassFixture<HostileLabFixture>
{
    public static TheoryData<string> Cases => HostileLabFixture.Cases(HostileGroup.Image);

    [Theory]
    [MemberData(nameof(Cases))]
    public Task A_hostile_image_is_refused_before_anything_is_sent(string name) => lab.RunAsync(name);
}

/// <summary>Server answers: hostile ids and file names, lying lengths, wrong types, bad JSON, redirects and waits.</summary>
public sealed class HostileServerAnswerTests(HostileLabFixture lab) : IClassFixture<HostileLabFixture>
{
    public static TheoryData<string> Cases => HostileLabFixture.Cases(HostileGroup.ServerAnswer);

    [Theory]
    [MemberData(nameof(Cases))]
    public Task A_hostile_server_answer_is_refused_or_survived_and_never_paid_twice(string name) => lab.RunAsync(name);
}
