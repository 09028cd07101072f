namespace Hailuo.Models;

/// <summary>Text cut to fit a message or a tooltip, the one way: what is cut is shown to be cut.</summary>
internal static class ShortText
{
    /// <summary>
    /// <paramref name="text"/> as it is when it has at most <paramref name="max"/> characters; otherwise its start and
    /// <paramref name="ellipsis"/>, <paramref name="max"/> characters in all, never splitting a surrogate pair.
    /// </summary>
    public static string Cut(string text, int max, string ellipsis = "...")
    {
        if (text.Length <= max)
        {
            return text;
        }
        var keep = System.Math.Max(0, max - ellipsis.Length);
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }
        return text.Substring(0, keep) + ellipsis;
    }
}
