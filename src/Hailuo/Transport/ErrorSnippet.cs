using System;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Models;

namespace Hailuo.Transport;

/// <summary>The start of an error body, on one line, for a message: what an API call or a download link answered instead.</summary>
internal static class ErrorSnippet
{
    /// <summary>The most characters a snippet has, "..." included; enough for an error's words, short enough for a table cell.</summary>
    public const int MaxChars = 200;

    // Bytes read for the snippet: a few lines of HTML before the words, never a whole error page.
    private const int MaxBytes = 4096;

    /// <summary>The text with each run of white space and controls made one space, cut to <see cref="MaxChars"/> with "...".</summary>
    public static string OneLine(string text)
    {
        var line = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = line.Length > 0;
                continue;
            }
            if (space)
            {
                line.Append(' ');
                space = false;
            }
            line.Append(c);
        }
        return ShortText.Cut(line.ToString(), MaxChars);
    }

    /// <summary>The snippet of a response's body, read no further than needed; empty when the body cannot be read.</summary>
    public static async Task<string> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            var buffer = new byte[MaxBytes];
            var filled = await StreamReads.ReadUpToAsync(stream, buffer, cancellationToken).ConfigureAwait(false);
            return OneLine(Encoding.UTF8.GetString(buffer, 0, filled));
        }
        catch (Exception e) when (HttpRetryPolicy.IsConnectionFault(e) || e is ObjectDisposedException or OperationCanceledException or DecoderFallbackException)
        {
            return "";
        }
    }
}
