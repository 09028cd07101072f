using System.Collections.ObjectModel;
using System.Management.Automation;

namespace Hailuo.PowerShell.Tests.Hosting;

/// <summary>Everything one script wrote, stream by stream, and the error that ended it, if one did.</summary>
public sealed class ScriptResult
{
    public required IReadOnlyList<PSObject> Output { get; init; }

    public required IReadOnlyList<ErrorRecord> Errors { get; init; }

    public required IReadOnlyList<WarningRecord> Warnings { get; init; }

    public required IReadOnlyList<VerboseRecord> Verbose { get; init; }

    public required IReadOnlyList<DebugRecord> Debug { get; init; }

    public required IReadOnlyList<InformationRecord> Information { get; init; }

    public required IReadOnlyList<ProgressRecord> Progress { get; init; }

    /// <summary>The terminating error that ended the script (a throw, or -ErrorAction Stop), else null.</summary>
    public RuntimeException? Terminating { get; init; }

    /// <summary>The output's base objects, for tests that read typed results.</summary>
    public IEnumerable<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>();

    /// <summary>Every message of every stream, and the terminating error's: what a secret scan reads.</summary>
    public string AllText()
    {
        var parts = new List<string?>();
        parts.AddRange(Output.Select(o => o?.ToString()));
        foreach (var error in Errors)
        {
            parts.Add(error.ToString());
            parts.Add(error.Exception?.ToString());
            parts.Add(error.ErrorDetails?.Message);
            parts.Add(error.ErrorDetails?.RecommendedAction);
            parts.Add(error.TargetObject?.ToString());
        }
        parts.AddRange(Warnings.Select(w => w.Message));
        parts.AddRange(Verbose.Select(v => v.Message));
        parts.AddRange(Debug.Select(d => d.Message));
        parts.AddRange(Information.Select(i => i.MessageData?.ToString()));
        parts.AddRange(Progress.Select(p => p.Activity + " " + p.StatusDescription + " " + p.CurrentOperation));
        parts.Add(Terminating?.ToString());
        return string.Join("\n", parts.Where(p => p is not null));
    }

    /// <summary>
    /// The one error of a command PowerShell refused (a binding error, a terminating error): thrown out of the script,
    /// or, as a statement-terminating error, written to the error stream. A failure when there is not exactly one.
    /// </summary>
    public ErrorRecord SingleError() => Terminating?.ErrorRecord ?? Assert.Single(Errors);

    /// <summary>Fails with every error's text when the script wrote any error or ended with one.</summary>
    public ScriptResult AssertNoErrors()
    {
        var problems = Errors.Select(e => $"{e.FullyQualifiedErrorId}: {e}").ToList();
        if (Terminating is not null)
        {
            problems.Add($"terminating {Terminating.ErrorRecord?.FullyQualifiedErrorId}: {Terminating.Message}");
        }
        Assert.True(problems.Count == 0, "The script wrote errors:\n" + string.Join("\n", problems));
        return this;
    }

    internal static ScriptResult From(System.Management.Automation.PowerShell ps, Collection<PSObject> output, RuntimeException? terminating) => new()
    {
        Output = output.Where(o => o is not null).ToList(),
        Errors = ps.Streams.Error.ToList(),
        Warnings = ps.Streams.Warning.ToList(),
        Verbose = ps.Streams.Verbose.ToList(),
        Debug = ps.Streams.Debug.ToList(),
        Information = ps.Streams.Information.ToList(),
        Progress = ps.Streams.Progress.ToList(),
        Terminating = terminating,
    };
}
