using Hailuo.Credentials;
using Hailuo.Emulator;
using Hailuo.Ledger;
using Hailuo.Models;
using Hailuo.Providers;
using Hailuo.Reliability;
using Hailuo.Tests.Emulator;

namespace Hailuo.Tests.Engine.Client;

/// <summary>An emulator plus engine clients pointed at it, each with its own ledger in a temp folder.</summary>
public sealed class EngineHarness : IAsyncDisposable
{
    public const string Secret = "sk-SECRET-hailuo-key-0042-do-not-leak";

    private readonly List<HailuoClient> _clients = [];

    private EngineHarness(EmulatorHarness emulator)
    {
        Emulator = emulator;
        Folder = Directory.CreateTempSubdirectory("hailuo-engine-").FullName;
        LedgerPath = Path.Combine(Folder, "ledger.jsonl");
    }

    public EmulatorHarness Emulator { get; }

    public string Folder { get; }

    public string LedgerPath { get; set; }

    public List<string> LogLines { get; } = [];

    public static async Task<EngineHarness> StartAsync(double timeScale = 0.01, Action<EmulatorOptions>? configure = null)
    {
        var emulator = await EmulatorHarness.StartAsync(o =>
        {
            o.TimeScale = timeScale;
            configure?.Invoke(o);
        });
        return new EngineHarness(emulator);
    }

    public HailuoClientOptions Options(HailuoProvider provider, string key = Secret) => new(provider)
    {
        BaseUri = Hailuo.Reliability.CmdletPipeline.EmulatorApiRoot(provider, Emulator.Server.BaseUri),
        Credentials = new StaticCredentialSource(new HailuoCredential(key, "test")),
        CloudflareAccountId = "acc-test",
        // No clock given: the client learns the emulator's pace from its answers, as a user's does.
        LedgerPath = LedgerPath,
        Log = (level, line) =>
        {
            lock (LogLines)
            {
                LogLines.Add($"{level}: {line}");
            }
        },
    };

    public HailuoClient Client(HailuoProvider provider, Action<HailuoClientOptions>? configure = null)
    {
        var options = Options(provider);
        configure?.Invoke(options);
        var client = new HailuoClient(options);
        _clients.Add(client);
        return client;
    }

    public Task<System.Text.Json.Nodes.JsonObject> StatsAsync(HailuoProvider provider) => Emulator.StatsAsync(CmdletPipeline.EmulatorName(provider));

    /// <summary>What a process that died right after writing its intent for <paramref name="request"/> leaves in the harness's ledger.</summary>
    public LedgerEntry WriteIntent(HailuoClient client, VideoRequest request)
    {
        using var ledger = new JobLedger(LedgerPath);
        return ledger.RecordIntent(client.Provider, client.Account, InputHash.Compute(client.Provider, request), request, new Dictionary<string, string?>());
    }

    public static VideoRequest Request(string prompt, string resolution = "768p", int duration = 6) =>
        new() { Prompt = prompt, Resolution = resolution, Duration = duration };

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        await Emulator.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
