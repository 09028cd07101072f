using Hailuo.Models;
using Hailuo.Pipeline;

namespace Hailuo.TestLab;

/// <summary>
/// The one stand-in for a cmdlet's streams: keeps what command logic writes, stream by stream, and notes every write
/// made off the thread that created it (ICommandOutput's calls all belong on the pipeline's thread). A caller that acts
/// on each record as it comes (passes objects to the next command, scans them for a key) sets <see cref="Written"/>.
/// </summary>
public sealed class RecordingOutput : ICommandOutput
{
    /// <summary>The stream names <see cref="Written"/> is told, as the reliability reports count them.</summary>
    public const string OutputStream = "output", ErrorStream = "error", WarningStream = "warning", VerboseStream = "verbose",
        DebugStream = "debug", ProgressStream = "progress", ConfirmationStream = "confirmation";

    private readonly int _owner = Environment.CurrentManagedThreadId;
    private readonly object _gate = new();

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

    /// <summary>Told of every record, with its stream's name, after it is kept: a confirmation as "target / action".</summary>
    public Action<string, object>? Written { get; init; }

    public IEnumerable<JobResult> Jobs => Objects.OfType<JobResult>();

    /// <summary>How many objects have been written so far.</summary>
    public int ObjectCount
    {
        get
        {
            lock (_gate)
            {
                return Objects.Count;
            }
        }
    }

    /// <summary>The objects written after the first <paramref name="start"/>.</summary>
    public List<object> ObjectsSince(int start)
    {
        lock (_gate)
        {
            return Objects.Skip(start).ToList();
        }
    }

    /// <summary>Every line of text written (warnings, verbose, debug, progress, confirmation targets, error messages), to search for what must never show.</summary>
    public IEnumerable<string> AllText()
    {
        lock (_gate)
        {
            return Warnings.Concat(Verbose).Concat(Debug).Concat(Progress.Select(p => p.Status)).Concat(Confirmations.Select(c => c.Target))
                .Concat(Errors.Select(e => e.Message)).ToList();
        }
    }

    public void WriteObject(object item) => Record(nameof(WriteObject), OutputStream, item, () => Objects.Add(item));
    public void WriteError(CommandError error) => Record(nameof(WriteError), ErrorStream, error, () => Errors.Add(error));
    public void WriteWarning(string message, HailuoRemedy remedy = HailuoRemedy.None) => Record(nameof(WriteWarning), WarningStream, message, () => Warnings.Add(message));
    public void WriteVerbose(string message) => Record(nameof(WriteVerbose), VerboseStream, message, () => Verbose.Add(message));
    public void WriteDebug(string message) => Record(nameof(WriteDebug), DebugStream, message, () => Debug.Add(message));
    public void WriteProgress(CommandProgress progress) => Record(nameof(WriteProgress), ProgressStream, progress, () => Progress.Add(progress));

    public bool ShouldProcess(string target, string action)
    {
        Record(nameof(ShouldProcess), ConfirmationStream, target + " / " + action, () => Confirmations.Add((target, action)));
        return Approve;
    }

    private void Record(string call, string stream, object record, Action keep)
    {
        lock (_gate)
        {
            if (Environment.CurrentManagedThreadId != _owner)
            {
                WrongThread.Add($"{call} on thread {Environment.CurrentManagedThreadId}");
            }
            keep();
        }
        Written?.Invoke(stream, record);
    }
}
