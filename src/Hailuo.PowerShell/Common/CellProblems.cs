using System;
using System.Collections.Generic;
using System.Linq;

namespace Hailuo.PowerShell.Common;

/// <summary>
/// Values a transformation could not read, kept for the cmdlet instead of failing the binding. A binding error
/// would drop the CSV row before the cmdlet sees it: the row would then go uncounted, every later row would take
/// its number (and so another file name), and the error could name neither the row nor what to change. The
/// transformation records the problem and binds null; the cmdlet takes the problems of its arguments in
/// BeginProcessing and of each row in ProcessRecord, which run on the same thread right after the binding.
/// </summary>
internal static class CellProblems
{
    // Per pipeline thread, listed with the process-wide state in docs/architecture.md.
    [ThreadStatic]
    private static List<CellProblem>? _pending;

    public static void Add(string parameter, string value, string expected)
    {
        _pending ??= new List<CellProblem>();
        // PowerShell may run a transformation twice for one value (binding without, then with, type coercion).
        if (!_pending.Exists(p => p.Parameter == parameter && p.Value == value))
        {
            _pending.Add(new CellProblem(parameter, value, expected));
        }
    }

    /// <summary>The problems recorded since the last call, in binding order; each is returned once.</summary>
    public static IReadOnlyList<CellProblem> Take()
    {
        var taken = (IReadOnlyList<CellProblem>?)_pending ?? Array.Empty<CellProblem>();
        _pending = null;
        return taken;
    }

    /// <summary>The problems as the one message a row's or the command's error gives.</summary>
    public static string Describe(IReadOnlyList<CellProblem> problems) => string.Join(" ", problems.Select(p => p.ToString()));
}

/// <summary>A value that could not be read for a parameter, and what it should have been.</summary>
internal sealed class CellProblem
{
    public CellProblem(string parameter, string value, string expected)
    {
        Parameter = parameter;
        Value = value;
        Expected = expected;
    }

    public string Parameter { get; }

    public string Value { get; }

    public string Expected { get; }

    public override string ToString() => $"{Parameter} {Value} is not {Expected}.";
}
