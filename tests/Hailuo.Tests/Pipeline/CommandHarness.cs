using Hailuo.Connection;
using Hailuo.Credentials;
using Hailuo.Models;
using Hailuo.Pipeline;
using Hailuo.Reliability;
using Hailuo.Tests.Emulator;
using Hailuo.Tests.Engine.Client;

namespace Hailuo.Tests.Pipeline;

/// <summary>Records what command logic writes, and that every write happens on the thread that owns the pipeline.</summary>
public sealed class RecordingOutput : ICommandOutput
{
    private readonly int _owner = Environment.CurrentManagedThreadId;

    public List<object> Objects { get; } = [];
    public List<CommandError> Errors { get; } = [];
    public List<string> Warnings { get; } = [];
    public List<string> Verbose { get; } = [];
    public List<string> Debug { get; } = [];
    public List<CommandProgress> Progress { get; } = [];
    public List<(string Target, string Action)> Confirmations { get; } = [];
    public List<string> WrongThread { get; } = [];

    /// <summary>What ShouldProcess answers: true runs, false is -WhatIf or a "no" at -Confirm.</summary>
    public bool Approve { get; set; } = true;

    public IEnumerable<JobResult> Jobs => Objects.OfType<JobResult>();

    public void WriteObject(object item) => Record(nameof(WriteObject), () => Objects.Add(item));
    public void WriteError(CommandError error) => Record(nameof(WriteError), () => Errors.Add(error));
    public void WriteWarning(string message, HailuoRemedy remedy = HailuoRemedy.None) => Record(nameof(WriteWarning), () => Warnings.Add(message));
    public void WriteVerbose(string message) => Record(nameof(WriteVerbose), () => Verbose.Add(message));
    public void WriteDebug(string message) => Record(nameof(WriteDebug), () => Debug.Add(message));
    public void WriteProgress(CommandProgress progress) => Record(nameof(WriteProgress), () => Progress.Add(progress));

    public bool ShouldProcess(string target, string action)
    {
        Record(nameof(ShouldProcess), () => Confirmations.Add((target, action)));
        return Approve;
    }

    private void Record(string call, Action add)
    {
        if (Environment.CurrentManagedThreadId != _owner)
        {
            lock (WrongThread)
            {
                WrongThread.Add($"{call} on thread {Environment.CurrentManagedThreadId}");
            }
        }
        add();
    }
}

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
        var connection = EmulatorSession.Connect(engine.Emulator.Server.BaseUri, provider, new HailuoCredential(EngineHarness.Secret, "test"), engine.LedgerPath,
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
