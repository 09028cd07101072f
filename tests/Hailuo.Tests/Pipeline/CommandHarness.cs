using Hailuo.Connection;
using Hailuo.Credentials;
using Hailuo.Models;
using Hailuo.Pipeline;
using Hailuo.Tests.Emulator;
using Hailuo.Tests.Engine.Client;

namespace Hailuo.Tests.Pipeline;

/// <summary>An emulator and a connection to one of its providers, with its own ledger.</summary>
public sealed class CommandHarness : IAsyncDisposable
{
    private CommandHarness(EngineHarness engine, HailuoConnection connection)
    {
        Engine = engine;
        Connection = connection;
    }

    public EngineHarness Engine { get; }

    public HailuoConnection Connection { get; }

    public EmulatorHarness Emulator => Engine.Emulator;

    public static async Task<CommandHarness> StartAsync(HailuoProvider provider = HailuoProvider.CoreToday, double timeScale = 0.01, Action<Hailuo.Emulator.EmulatorOptions>? configure = null)
    {
        var engine = await EngineHarness.StartAsync(timeScale, configure);
        var connection = EmulatorConnection.Connect(engine.Emulator.Server.BaseUri, provider, new HailuoCredential(EngineHarness.Secret, "test"), engine.LedgerPath,
            cloudflareAccountId: "acc-test");
        return new CommandHarness(engine, connection);
    }

    public static RowInput Row(long index, string? prompt, int? duration = null, Dictionary<string, string?>? tag = null) =>
        new(new VideoRequest { Prompt = prompt, Duration = duration }, index) { Tag = tag ?? new Dictionary<string, string?>(), Target = $"row {index}" };

    public List<JobResult> Submit(RecordingOutput output, IEnumerable<RowInput> rows, VideoSubmissionOptions? options = null)
    {
        using var command = new VideoSubmission(output, Connection, options ?? new VideoSubmissionOptions(), CancellationToken.None);
        foreach (var row in rows)
        {
            command.Process(row);
        }
        command.Complete();
        return output.Jobs.ToList();
    }

    public async ValueTask DisposeAsync()
    {
        Connection.Dispose();
        await Engine.DisposeAsync();
    }
}
