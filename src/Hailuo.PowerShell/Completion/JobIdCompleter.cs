using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Runtime.CompilerServices;
using Hailuo.Ledger;
using Hailuo.Models;

namespace Hailuo.PowerShell.Completion;

/// <summary>
/// Completes job ids from the job ledger (<c>JobLedger.DefaultPath()</c>), newest first, with the job's status
/// and prompt as the tooltip.
/// </summary>
public sealed class JobIdCompleter : IArgumentCompleter
{
    /// <summary>The most ids offered at once.</summary>
    public const int MaxResults = 50;

    private const int ToolTipPromptLength = 80;

    private readonly Func<string>? _ledgerPath;

    /// <summary>Reads the user's ledger, at <c>JobLedger.DefaultPath()</c>.</summary>
    public JobIdCompleter()
    {
    }

    /// <summary>Reads the ledger that <paramref name="ledgerPath"/> names, asked at each completion.</summary>
    internal JobIdCompleter(Func<string> ledgerPath)
    {
        _ledgerPath = ledgerPath;
    }

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            return RecentJobIds(_ledgerPath?.Invoke(), wordToComplete);
        }
        catch (Exception)
        {
            // Tab completion must never fail: an unreadable ledger, or an engine that cannot load, offers nothing.
            return Array.Empty<CompletionResult>();
        }
    }

    // Not inlined, so that a failure to load the engine's types surfaces inside the try above.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<CompletionResult> RecentJobIds(string? ledgerPath, string? wordToComplete)
    {
        var path = ledgerPath ?? JobLedger.DefaultPath();
        if (!File.Exists(path))
        {
            // Opening the ledger would create it: completing must not leave files behind.
            return new List<CompletionResult>();
        }
        using var ledger = new JobLedger(path);
        return CompletionMatcher.Match(Candidates(ledger.List(LedgerQuery.All)), wordToComplete, MaxResults);
    }

    private static IEnumerable<(string Value, string ToolTip)> Candidates(IReadOnlyList<LedgerEntry> newestFirst)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in newestFirst)
        {
            if (entry.JobId is { Length: > 0 } id && seen.Add(id))
            {
                yield return (id, ToolTip(entry));
            }
        }
    }

    private static string ToolTip(LedgerEntry entry)
    {
        var status = entry.Status?.ToString() ?? entry.State.ToString();
        var prompt = entry.Request?.Prompt?.Trim();
        if (string.IsNullOrEmpty(prompt))
        {
            return status;
        }
        return status + ", " + ShortText.Cut(prompt!, ToolTipPromptLength, "…");
    }
}
