using System;

namespace Hailuo.Validation;

/// <summary>
/// Checks and partly decodes the base64 payload of a data URI in place, so that validating a 20 MB image
/// neither copies its text nor decodes more than the header needs.
/// </summary>
internal static class Base64Payload
{
    /// <summary>
    /// Whether the text from <paramref name="start"/> is valid base64 as <see cref="Convert.FromBase64String"/>
    /// reads it (whitespace ignored, '=' padding only at the end), and how many bytes it decodes to.
    /// </summary>
    public static bool TryMeasure(string text, int start, out long decodedLength)
    {
        decodedLength = 0;
        long significant = 0;
        var padding = 0;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (IsWhiteSpace(c))
            {
                continue;
            }
            if (c == '=')
            {
                padding++;
            }
            else if (padding > 0 || !IsAlphabet(c))
            {
                return false;
            }
            significant++;
        }
        if (significant % 4 != 0 || padding > 2)
        {
            return false;
        }
        decodedLength = significant / 4 * 3 - padding;
        return true;
    }

    /// <summary>Decodes at least the first <paramref name="byteCount"/> bytes (or all, if fewer) of a payload that <see cref="TryMeasure"/> accepted.</summary>
    public static byte[] DecodeHead(string text, int start, int byteCount)
    {
        var chars = new char[(byteCount + 2) / 3 * 4];
        var length = 0;
        for (var i = start; i < text.Length && length < chars.Length; i++)
        {
            if (!IsWhiteSpace(text[i]))
            {
                chars[length++] = text[i];
            }
        }
        return Convert.FromBase64CharArray(chars, 0, length);
    }

    private static bool IsWhiteSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static bool IsAlphabet(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '+' or '/';
}
