using Hailuo.Credentials;
using Hailuo.Emulator;
using Hailuo.Models;
using Hailuo.Reliability;

namespace Hailuo.Tests.Reliability;

/// <summary>
/// The short version of part 4 of issue 6 (the long one is <c>--only secrets</c>): one run of every
/// operation against all four providers, with both key sources, faults, a wrong key and a provider
/// that echoes the key; each place the key must not reach is its own test.
/// </summary>
public sealed class SecretHygieneTests(SecretHygieneTests.Run run) : IClassFixture<SecretHygieneTests.Run>
{
    /// <summary>The run, made once for the class.</summary>
    public sealed class Run : IAsyncLifetime
    {
        public string Folder { get; } = Directory.CreateTempSubdirectory("hailuo-secrets-").FullName;

        public SecretReport Report { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            Report = await SecretHygiene.RunAsync(new SecretPlan { Folder = Folder, Rows = 1, TimeScale = 0.002 }, deadline.Token);
        }

        public Task DisposeAsync()
        {
            Directory.Delete(Folder, recursive: true);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public void The_scanner_sees_a_key_planted_in_every_form_and_place()
    {
        var (plantings, misses) = SecretHygiene.PlantedMisses(Path.Combine(run.Folder, "planted"));
        Assert.True(plantings > 40, $"Only {plantings} plantings were tried.");
        Assert.True(misses.Count == 0, "The scanner missed planted keys: " + string.Join("; ", misses));
    }

    [Fact]
    public void The_run_exercised_every_phase()
    {
        var report = run.Report;
        Assert.True(report.Failures.IsEmpty, "Operations escaped command logic or hung: " + string.Join("; ", report.Failures));
        Assert.True(report.FaultsInjected > 0, "No fault was injected.");
        Assert.True(report.AuthFailures > 0, "The wrong key was never refused, so it was never sent.");
        Assert.True(report.EchoedAnswers > 0, "The echoing provider never got a key to echo.");
        Assert.True(report.VideosSaved > 0, "No video was saved, so downloads were not covered.");
    }

    [Theory]
    [InlineData(SecretPlace.Streams)]
    [InlineData(SecretPlace.ErrorRecords)]
    [InlineData(SecretPlace.Exceptions)]
    [InlineData(SecretPlace.Log)]
    [InlineData(SecretPlace.Ledger)]
    [InlineData(SecretPlace.Configuration)]
    [InlineData(SecretPlace.Files)]
    public void The_key_is_nowhere_in(SecretPlace place)
    {
        var scanner = run.Report.Scanner;
        Assert.True(scanner.TallyOf(place).Items > 0, $"Nothing was scanned in {place}, so its zero means nothing.");
        var leaks = scanner.LeaksIn(place).Distinct().ToList();
        Assert.True(leaks.Count == 0, $"The key leaked into {place}:\n" + string.Join("\n", leaks.Take(20)));
    }

    [Fact]
    public async Task A_key_the_provider_echoes_back_is_scrubbed_before_a_job_message_or_the_ledger_sees_it()
    {
        var key = SecretScanner.NewCanary();
        await using var emulator = await EmulatorServer.StartLocalAsync(o =>
        {
            o.TimeScale = 0.002;
            o.Faults = "create:filter=1";
        });
        await using var echo = await LoopbackRelay.StartAsync("127.0.0.2");
        echo.UpstreamRoot = emulator.BaseUri;
        echo.RewriteBody = LoopbackRelay.EchoCredential;
        var ledger = Path.Combine(run.Folder, "echo-" + Guid.NewGuid().ToString("N"), "ledger.jsonl");
        using var client = new HailuoClient(new HailuoClientOptions(HailuoProvider.Replicate)
        {
            BaseUri = CmdletPipeline.EmulatorApiRoot(HailuoProvider.Replicate, new Uri(echo.Url)),
            Credentials = new StaticCredentialSource(new HailuoCredential(key, "test")),
            TimeProvider = new EmulatedTime(0.002),
            LedgerPath = ledger,
        });
        var scanner = new SecretScanner(key);

        var failed = await client.WaitAsync(await client.SubmitAsync(new VideoRequest { Prompt = "flagged" }), TimeSpan.FromSeconds(20));
        emulator.State.Faults.Replace(Hailuo.Emulator.Core.FaultRule.ParseSpec("status:malformed=1"));
        var damaged = await Assert.ThrowsAsync<HailuoException>(() => client.GetJobAsync(failed.Id));

        Assert.Equal(JobStatus.Failed, failed.Status);
        // The provider did echo the key (as "you sent ..."), and what reached the job is the scrubbed text.
        Assert.Contains("(you sent ***)", failed.Error!.Message);
        Assert.Empty(scanner.Find(failed.Error.Message));
        Assert.Contains("key=***", damaged.Message);
        Assert.Empty(scanner.Find(damaged.Message));
        Assert.Empty(scanner.Find(await File.ReadAllTextAsync(ledger)));
    }
}
