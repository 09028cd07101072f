using Hailuo.Connection;
using Hailuo.Credentials;
using Hailuo.Emulator;
using Hailuo.Models;
using Hailuo.Pipeline;
using Hailuo.Providers;
using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>A video the batch saved, by CSV row.</summary>
public sealed record SavedRow(long Row, string Path, long Length, string JobId, bool Skipped);

/// <summary>An error the batch reported: which row (when the error says), which cmdlet, its kind, message and advice.</summary>
public sealed record FailedRow(long? Row, string Stage, string Kind, string Message, string Action);

/// <summary>What one run of the batch wrote: its objects, errors and warnings, as PowerShell would show them.</summary>
public sealed record BatchReport(List<SavedRow> Saved, List<FailedRow> Errors, List<string> Warnings, double Seconds)
{
    /// <summary>Diagnostic lines a child process was asked to keep besides its warnings (see <see cref="ChildBatch.Run"/>).</summary>
    public List<string> Log { get; init; } = [];

    /// <summary>Each row's fate: saved, failed with its first reason, or neither (unaccounted for).</summary>
    public RowLedger Account(int rows) => new(rows, this);

    /// <summary>This run, with the rows that <paramref name="again"/> ran again taking their fate from it.</summary>
    public BatchReport Then(BatchReport again, IReadOnlySet<long> rows) => new(
        [.. Saved.Where(s => !rows.Contains(s.Row)), .. again.Saved],
        [.. Errors.Where(e => e.Row is not { } row || !rows.Contains(row)), .. again.Errors],
        [.. Warnings, .. again.Warnings],
        Seconds + again.Seconds);
}

/// <summary>A row of docs/reliability.md that is a requirement: missing it fails the run.</summary>
public static class Requirement
{
    public static Figure Of(string name, string measured, string bound, string ratio, string goal, bool met, string shortfall) =>
        new(name, measured, bound, ratio, goal, met, shortfall, FailsRun: true);
}

/// <summary>Every CSV row's fate in one run.</summary>
public sealed class RowLedger
{
    public RowLedger(int rows, BatchReport report)
    {
        var saved = report.Saved.Select(s => s.Row).ToHashSet();
        var failed = new Dictionary<long, FailedRow>();
        foreach (var error in report.Errors.Where(e => e.Row is not null))
        {
            failed.TryAdd(error.Row!.Value, error);
        }
        for (long row = 1; row <= rows; row++)
        {
            if (saved.Contains(row))
            {
                Saved.Add(row);
            }
            else if (failed.TryGetValue(row, out var why))
            {
                Failed[row] = why;
            }
            else
            {
                Unaccounted.Add(row);
            }
        }
        SavedAndFailed = saved.Where(failed.ContainsKey).Order().ToList();
        Unattributed = report.Errors.Where(e => e.Row is null).ToList();
    }

    public List<long> Saved { get; } = [];

    public SortedDictionary<long, FailedRow> Failed { get; } = [];

    /// <summary>Rows with neither a file nor an error: what the requirement forbids.</summary>
    public List<long> Unaccounted { get; } = [];

    /// <summary>Rows that were saved and also reported failed: contradictory.</summary>
    public List<long> SavedAndFailed { get; }

    /// <summary>Errors that name no row.</summary>
    public List<FailedRow> Unattributed { get; }

    /// <summary>Failures by kind, such as "ContentFiltered: 12, Transient: 1".</summary>
    public string FailuresByKind() => Failed.Count == 0
        ? "none"
        : string.Join(", ", Failed.Values.GroupBy(f => f.Kind).OrderByDescending(g => g.Count()).Select(g => $"{g.Key}: {g.Count()}"));
}

/// <summary>
/// <c>Import-Csv rows.csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path out</c>, through the
/// cmdlets' own command logic: each command's objects go to the next command as PowerShell's pipeline passes
/// them (one at a time, on the one thread), errors go to the error stream, and EndProcessing runs upstream first.
/// </summary>
public static class CmdletPipeline
{
    /// <summary>A connection to one of the emulator's providers with the reliability suite's key and account.</summary>
    public static HailuoConnection Connect(Uri emulator, string ledgerPath, HailuoProvider provider, Action<HailuoClientOptions>? tune = null) =>
        EmulatorConnection.Connect(emulator, provider, new HailuoCredential(Lab.Key, "reliability"), ledgerPath, cloudflareAccountId: "reliability", tune);

    /// <summary>
    /// The emulator's name for a provider: its path prefix and its key in the stats, the first segment of the profile's
    /// emulator path (tests/Hailuo.Tests/Engine/Providers/ProviderProfileTests.cs holds the two to the emulator's names).
    /// </summary>
    public static string EmulatorName(HailuoProvider provider) => ProviderProfiles.For(provider).EmulatorPath.Split('/')[1];

    /// <summary>A provider's API root under the emulator at <paramref name="root"/>, or under a server in front of it.</summary>
    public static Uri EmulatorApiRoot(HailuoProvider provider, Uri root) => EmulatorServer.ApiRoot(root, EmulatorName(provider));

    /// <summary>Runs the pipeline over the CSV's rows to the end, on the calling thread.</summary>
    /// <param name="only">Row numbers (1-based) to run, as a CSV cut down to them; null for every row.</param>
    /// <param name="observe">Told of every record each command writes, with its stream's name (see <see cref="RecordingOutput.Written"/>).</param>
    public static BatchReport Run(HailuoConnection session, IReadOnlyList<IReadOnlyDictionary<string, string?>> csv, string folder, CancellationToken cancellationToken,
        IReadOnlySet<long>? only = null, Action<string, object>? observe = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var saved = new List<SavedRow>();
        var errors = new List<FailedRow>();
        var warnings = new List<string>();
        using var save = new SaveBatch(Output("Save-HailuoVideo", item =>
        {
            if (item is SavedVideo video)
            {
                saved.Add(new SavedRow(video.Index, video.Path, video.Length, video.Job.Id, video.Skipped));
            }
        }, errors, warnings, observe), session, new SaveBatchOptions { Path = folder, ShowProgress = false }, cancellationToken);
        using var wait = new WaitBatch(Output("Wait-HailuoJob", item =>
        {
            if (item is JobResult job)
            {
                save.Add(job.Job, job.Index);
            }
        }, errors, warnings, observe), session, new WaitBatchOptions { ShowProgress = false }, cancellationToken);
        using (var submit = new VideoSubmission(Output("New-HailuoVideo", item =>
        {
            if (item is JobResult job)
            {
                wait.Add(job.Job, job.Index);
            }
        }, errors, warnings, observe), session, new VideoSubmissionOptions(), cancellationToken))
        {
            for (var i = 0; i < csv.Count; i++)
            {
                if (only is null || only.Contains(i + 1))
                {
                    Csv.Bind(csv[i], i + 1, new CsvRowTarget(i + 1)).SubmitTo(submit);
                }
            }
            submit.Complete();
        }
        wait.Complete();
        save.Complete();
        return new BatchReport(saved, errors, warnings, clock.Elapsed.TotalSeconds);
    }

    private static RecordingOutput Output(string stage, Action<object> onObject, List<FailedRow> errors, List<string> warnings, Action<string, object>? observe) => new()
    {
        Written = (stream, record) =>
        {
            observe?.Invoke(stream, record);
            switch (stream)
            {
                case RecordingOutput.OutputStream:
                    onObject(record);
                    break;
                case RecordingOutput.ErrorStream when record is CommandError error:
                    errors.Add(new FailedRow(RowOf(error.Target), stage, error.Error.Kind.ToString(), error.Message, error.Remedy.ToString()));
                    break;
                case RecordingOutput.WarningStream:
                    warnings.Add((string)record);
                    break;
            }
        },
    };

    private static long? RowOf(object? target) => target switch
    {
        CsvRowTarget row => row.Index,
        JobResult job => job.Index,
        _ => null,
    };

    /// <summary>What an error about a CSV row points at (PowerShell would show the row itself).</summary>
    private sealed record CsvRowTarget(long Index);
}
