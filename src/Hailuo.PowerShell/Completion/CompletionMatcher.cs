using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace Hailuo.PowerShell.Completion;

/// <summary>Turns candidate values into the completion results that match what has been typed so far.</summary>
internal static class CompletionMatcher
{
    /// <summary>
    /// The candidates that start with <paramref name="wordToComplete"/> (case-insensitive, quotes ignored), in the
    /// order given, at most <paramref name="limit"/>. A value is quoted when the word was, or when it needs quotes.
    /// </summary>
    public static List<CompletionResult> Match(IEnumerable<(string Value, string ToolTip)> candidates, string? wordToComplete, int limit = int.MaxValue)
    {
        var (prefix, quote) = Unquote(wordToComplete ?? "");
        var results = new List<CompletionResult>();
        foreach (var (value, toolTip) in candidates)
        {
            if (results.Count >= limit)
            {
                break;
            }
            if (value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                results.Add(new CompletionResult(Quote(value, quote), value, CompletionResultType.ParameterValue, toolTip));
            }
        }
        return results;
    }

    private static (string Prefix, char? Quote) Unquote(string word)
    {
        if (word.Length > 0 && (word[0] == '\'' || word[0] == '"'))
        {
            var quote = word[0];
            var inner = word.Substring(1);
            return (inner.Length > 0 && inner[inner.Length - 1] == quote ? inner.Substring(0, inner.Length - 1) : inner, quote);
        }
        return (word, null);
    }

    private static string Quote(string value, char? quote)
    {
        if (quote is null && !NeedsQuotes(value))
        {
            return value;
        }
        // Single quotes take the value literally; inside them only ' needs escaping, by doubling.
        return quote == '"' && value.IndexOfAny(new[] { '"', '`', '$' }) < 0
            ? "\"" + value + "\""
            : "'" + value.Replace("'", "''") + "'";
    }

    private static bool NeedsQuotes(string value)
    {
        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c) || "'\"`$;,(){}[]@#|&<>".IndexOf(c) >= 0)
            {
                return true;
            }
        }
        return value.Length == 0;
    }
}
