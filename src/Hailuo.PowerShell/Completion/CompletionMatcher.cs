using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

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
        var (prefix, doubleQuoted, quoted) = Unquote(wordToComplete ?? "");
        var results = new List<CompletionResult>();
        foreach (var (value, toolTip) in candidates)
        {
            if (results.Count >= limit)
            {
                break;
            }
            if (value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                results.Add(new CompletionResult(Quote(value, quoted, doubleQuoted), value, CompletionResultType.ParameterValue, toolTip));
            }
        }
        return results;
    }

    private static (string Prefix, bool Double, bool Quoted) Unquote(string word)
    {
        if (word.Length > 0 && (IsSingleQuote(word[0]) || IsDoubleQuote(word[0])))
        {
            var opening = word[0];
            var inner = word.Substring(1);
            var closed = inner.Length > 0 && (IsSingleQuote(opening) ? IsSingleQuote(inner[inner.Length - 1]) : IsDoubleQuote(inner[inner.Length - 1]));
            return (closed ? inner.Substring(0, inner.Length - 1) : inner, IsDoubleQuote(opening), true);
        }
        return (word, false, false);
    }

    // PowerShell reads the curly quotes ‘ ’ ‚ ‛ and “ ” „ as the straight ones.
    private static bool IsSingleQuote(char c) => c is '\'' or '\u2018' or '\u2019' or '\u201A' or '\u201B';

    private static bool IsDoubleQuote(char c) => c is '"' or '\u201C' or '\u201D' or '\u201E';

    private static string Quote(string value, bool quoted, bool doubleQuoted)
    {
        if (!quoted && !NeedsQuotes(value))
        {
            return value;
        }
        // PowerShell's own escaping, which also doubles the curly single quotes it treats as quotes.
        return doubleQuoted && value.IndexOfAny(new[] { '"', '`', '$', '\u201C', '\u201D', '\u201E' }) < 0
            ? "\"" + value + "\""
            : "'" + CodeGeneration.EscapeSingleQuotedStringContent(value) + "'";
    }

    private static bool NeedsQuotes(string value)
    {
        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c) || "'\"`$;,(){}[]@#|&<>\u2018\u2019\u201A\u201B\u201C\u201D\u201E".IndexOf(c) >= 0)
            {
                return true;
            }
        }
        return value.Length == 0;
    }
}
