using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Hailuo.Models;

namespace Hailuo.Downloads;

/// <summary>
/// Turns a template such as <c>{index:0000}-{prompt}-{id}</c> into a safe file path for a job's video.
/// Whatever a server, a prompt or a CSV cell holds, the result is one file directly inside the output
/// folder with a name every file system (and Excel) accepts.
/// </summary>
public static class FileNameTemplate
{
    /// <summary>Sorts by submission order, reads at a glance, and stays unique through the id.</summary>
    public const string Default = "{index:0000}-{prompt}-{id}";

    public const string Extension = ".mp4";

    /// <summary>Well under Windows' 255-character name limit, leaving room for the folder and a temp suffix.</summary>
    public const int MaxFileNameLength = 150;

    public const int MaxPromptSlugLength = 60;

    /// <summary>The built-in tokens; a job's tag columns are tokens too.</summary>
    public static readonly IReadOnlyList<string> Tokens = new[] { "index", "id", "provider", "model", "status", "resolution", "duration", "prompt", "date" };

    private const string DefaultDateFormat = "yyyyMMdd-HHmmss";

    // Invalid in Windows file names, and the separators everywhere.
    private static readonly HashSet<char> InvalidChars = new() { '<', '>', ':', '"', '/', '\\', '|', '?', '*' };

    private static readonly HashSet<string> ReservedNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM\u00b9", "COM\u00b2", "COM\u00b3",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT\u00b9", "LPT\u00b2", "LPT\u00b3",
    };

    // Folds by table rather than only by Unicode normalisation, which does nothing when .NET runs
    // with invariant globalization (containers, trimmed hosts).
    private static readonly Dictionary<char, string> Transliterations = BuildTransliterations();

    private static Dictionary<char, string> BuildTransliterations()
    {
        var table = new Dictionary<char, string>
        {
            ['ß'] = "ss", ['æ'] = "ae", ['œ'] = "oe", ['ð'] = "d", ['þ'] = "th", ['ĳ'] = "ij",
            ['\ufb00'] = "ff", ['\ufb01'] = "fi", ['\ufb02'] = "fl", ['\ufb03'] = "ffi", ['\ufb04'] = "ffl",
        };
        var groups = new[]
        {
            ("a", "àáâãäåāăą"), ("c", "çćĉċč"), ("d", "ďđ"), ("e", "èéêëēĕėęě"), ("g", "ĝğġģ"), ("h", "ĥħ"),
            ("i", "ìíîïĩīĭįı"), ("j", "ĵ"), ("k", "ķ"), ("l", "ĺļľŀł"), ("n", "ñńņňŉ"), ("o", "òóôõöøōŏő"),
            ("r", "ŕŗř"), ("s", "śŝşšș"), ("t", "ţťŧț"), ("u", "ùúûüũūŭůűų"), ("w", "ŵ"), ("y", "ýÿŷ"), ("z", "źżž"),
        };
        foreach (var (ascii, letters) in groups)
        {
            foreach (var letter in letters)
            {
                table[letter] = ascii;
            }
        }
        // Full-width digits and letters (U+FF10-FF5A) are ASCII shifted by 0xFEE0.
        for (var c = '\uff10'; c <= '\uff5a'; c++)
        {
            var narrow = (char)(c - 0xFEE0);
            if (narrow is >= '0' and <= '9' or >= 'a' and <= 'z' or >= 'A' and <= 'Z')
            {
                table[c] = char.ToLowerInvariant(narrow).ToString();
            }
        }
        return table;
    }

    /// <summary>
    /// Renders <paramref name="template"/> for <paramref name="job"/> and returns the full path of the
    /// file inside <paramref name="outputDirectory"/>. Throws <see cref="HailuoException"/> (Validation)
    /// for an unknown token, a template that names folders, or a name that would leave the folder.
    /// </summary>
    public static string Render(string template, HailuoJob job, long index, string outputDirectory)
    {
        if (job is null)
        {
            throw new ArgumentNullException(nameof(job));
        }
        if (string.IsNullOrWhiteSpace(outputDirectory))
        {
            throw Invalid("The output folder is empty.");
        }
        if (string.IsNullOrWhiteSpace(template))
        {
            template = Default;
        }
        CheckNotAPath(template);
        var name = SanitizeName(Expand(template, job, index, anyColumn: false), job.Id);
        return Inside(outputDirectory, name);
    }

    /// <summary>
    /// Checks what can be checked of a template before any job exists: its braces, formats and shape. A name that is
    /// not a built-in token may be a column of rows still to come, so it passes here and is checked on each job.
    /// </summary>
    public static void Check(string template)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            return;
        }
        CheckNotAPath(template);
        var standIn = new HailuoJob("id", HailuoProvider.CoreToday, HailuoModels.Standard, JobStatus.Succeeded)
            .With(request: new VideoRequest { Prompt = "prompt" }, createdAt: DateTimeOffset.UtcNow); // any date checks the format
        SanitizeName(Expand(template, standIn, 1, anyColumn: true), standIn.Id);
    }

    /// <summary>
    /// The template with its tokens filled in, as pieces: the id and index never shrink, so that when the name is too
    /// long the other values and the template's own text give way, and the name still tells the jobs apart.
    /// </summary>
    private static List<Piece> Expand(string template, HailuoJob job, long index, bool anyColumn)
    {
        var pieces = new List<Piece>();
        var text = new StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                text.Append('{');
                i += 2;
                continue;
            }
            if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                text.Append('}');
                i += 2;
                continue;
            }
            if (c != '{')
            {
                if (c is '/' or '\\')
                {
                    throw Invalid($"The file name template '{template}' contains '{c}'. Templates name files, not folders; the folder is chosen on its own.");
                }
                text.Append(c);
                i++;
                continue;
            }
            var close = template.IndexOf('}', i + 1);
            if (close < 0)
            {
                throw Invalid($"The file name template '{template}' has a '{{' without a closing '}}'. Write {{{{ for a literal brace.");
            }
            var token = template.Substring(i + 1, close - i - 1);
            var colon = token.IndexOf(':');
            var tokenName = (colon < 0 ? token : token.Substring(0, colon)).Trim();
            var format = colon < 0 ? null : token.Substring(colon + 1);
            pieces.Add(new Piece(text.ToString(), fixedLength: false));
            text.Clear();
            var fixedLength = tokenName.Equals("id", StringComparison.OrdinalIgnoreCase) || tokenName.Equals("index", StringComparison.OrdinalIgnoreCase);
            pieces.Add(new Piece(Value(tokenName, format, job, index, template, anyColumn), fixedLength));
            i = close + 1;
        }
        pieces.Add(new Piece(text.ToString(), fixedLength: false));
        return pieces;
    }

    private static string Value(string token, string? format, HailuoJob job, long index, string template, bool anyColumn)
    {
        switch (token.ToLowerInvariant())
        {
            case "index":
                return Number(index, format, token);
            case "id":
                return SanitizeValue(job.Id);
            case "provider":
                return job.Provider.ToString().ToLowerInvariant();
            case "model":
                return SanitizeValue(job.Model);
            case "status":
                return job.Status.ToString().ToLowerInvariant();
            case "resolution":
                return SanitizeValue(job.Request?.EffectiveResolution ?? job.Request?.Resolution ?? "");
            case "duration":
                return job.Request is { } request ? Number(request.EffectiveDuration, format, token) : "";
            case "prompt":
                return Slug(job.Request?.Prompt, PromptLength(format, token));
            case "date":
                // A job that does not say when it was made is named by the day it is saved: the user's calendar.
                return Date(job.CreatedAt ?? DateTimeOffset.UtcNow, format, token);
        }
        if (token.Length > 0)
        {
            if (anyColumn)
            {
                return token;
            }
            foreach (var pair in job.Tag)
            {
                if (string.Equals(pair.Key, token, StringComparison.OrdinalIgnoreCase))
                {
                    return SanitizeValue(pair.Value ?? "");
                }
            }
        }
        var known = Tokens.Concat(job.Tag.Keys.Where(k => !Tokens.Contains(k, StringComparer.OrdinalIgnoreCase)))
            .Select(k => "{" + k + "}");
        throw Invalid($"The file name template '{template}' uses {{{token}}}, which is not a known token. Known tokens: {string.Join(", ", known)}.");
    }

    private static string Number(long value, string? format, string token)
    {
        try
        {
            return value.ToString(format, CultureInfo.InvariantCulture);
        }
        catch (FormatException)
        {
            throw Invalid($"{{{token}:{format}}}: '{format}' is not a number format; use zeros, as in {{index:0000}}.");
        }
    }

    private static string Date(DateTimeOffset when, string? format, string token)
    {
        try
        {
            return SanitizeValue(when.UtcDateTime.ToString(string.IsNullOrEmpty(format) ? DefaultDateFormat : format, CultureInfo.InvariantCulture));
        }
        catch (FormatException)
        {
            throw Invalid($"{{{token}:{format}}}: '{format}' is not a date format; use something like {{date:yyyyMMdd-HHmmss}}.");
        }
    }

    private static int PromptLength(string? format, string token)
    {
        if (string.IsNullOrEmpty(format))
        {
            return MaxPromptSlugLength;
        }
        if (int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out var length) && length is >= 1 and <= MaxFileNameLength)
        {
            return length;
        }
        throw Invalid($"{{{token}:{format}}}: the prompt's format is its maximum length, a number from 1 to {MaxFileNameLength}.");
    }

    private static void CheckNotAPath(string template)
    {
        var rooted = template[0] is '/' or '\\' or '~'
            || (template.Length >= 2 && template[1] == ':' && ((template[0] | 0x20) is >= 'a' and <= 'z'));
        if (rooted)
        {
            throw Invalid($"The file name template '{template}' is a path. Templates name files, not folders; the folder is chosen on its own.");
        }
    }

    /// <summary>
    /// A prompt as a slug: lower-case ASCII letters, digits and single hyphens, accents folded
    /// (é to e, ß to ss), other scripts dropped; "video" when nothing is left.
    /// </summary>
    public static string Slug(string? text, int maxLength = MaxPromptSlugLength)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "video";
        }
        string decomposed;
        try
        {
            // Where ICU is present, KD folds accented letters the table lacks (Vietnamese, for one).
            decomposed = text!.Normalize(NormalizationForm.FormKD);
        }
        catch (ArgumentException)
        {
            // Lone surrogates cannot be normalised; the filter below drops them anyway.
            decomposed = text!;
        }
        var slug = new StringBuilder(Math.Min(decomposed.Length, maxLength + 1));
        var hyphen = false;
        foreach (var raw in decomposed)
        {
            var c = char.ToLowerInvariant(raw);
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                AppendPending();
                slug.Append(c);
            }
            else if (Transliterations.TryGetValue(c, out var ascii))
            {
                AppendPending();
                slug.Append(ascii);
            }
            else if (c is '\'' or '\u2019' || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format)
            {
                // Apostrophes and accents join their word: "don't" is "dont", "é" is "e".
            }
            else
            {
                hyphen = slug.Length > 0;
            }
            if (slug.Length >= maxLength)
            {
                break;
            }
        }
        var result = slug.Length > maxLength ? slug.ToString(0, maxLength) : slug.ToString();
        result = result.TrimEnd('-');
        return result.Length == 0 ? "video" : result;

        void AppendPending()
        {
            if (hyphen)
            {
                slug.Append('-');
                hyphen = false;
            }
        }
    }

    /// <summary>One token's value: no separators, no characters Windows refuses, no control or direction marks.</summary>
    private static string SanitizeValue(string value, bool trim = true)
    {
        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                text.Append(c).Append(value[++i]);
                continue;
            }
            if (IsInvisible(c))
            {
                continue;
            }
            if (InvalidChars.Contains(c))
            {
                text.Append('_');
                continue;
            }
            // ".." never survives, whatever it is next to.
            if (c == '.' && text.Length > 0 && text[text.Length - 1] == '.')
            {
                continue;
            }
            text.Append(c);
        }
        return trim ? text.ToString().Trim() : text.ToString();
    }

    /// <summary>
    /// The whole name: values are clean, but the template's own text is checked again here. Too long, it loses
    /// characters from its longest shrinkable values first (prompts, columns), never from the id or index; a name
    /// that renders empty becomes the job's id, never one name shared by every job.
    /// </summary>
    private static string SanitizeName(List<Piece> pieces, string jobId)
    {
        var room = MaxFileNameLength - Extension.Length;
        var clean = pieces.Select(p => new Piece(SanitizeValue(p.Text, trim: false), p.FixedLength)).ToList();
        var excess = clean.Sum(p => p.Text.Length) - room;
        while (excess > 0 && clean.Where(p => !p.FixedLength && p.Text.Length > 0).OrderByDescending(p => p.Text.Length).FirstOrDefault() is { } longest)
        {
            var kept = ShortText.Cut(longest.Text, Math.Max(0, longest.Text.Length - excess), ellipsis: "");
            excess -= longest.Text.Length - kept.Length;
            longest.Text = kept.TrimEnd(' ', '.', '-');
        }
        var name = SanitizeValue(string.Concat(clean.Select(p => p.Text))).Trim(' ', '.');
        if (name.EndsWith(Extension, StringComparison.OrdinalIgnoreCase))
        {
            name = name.Substring(0, name.Length - Extension.Length);
        }
        var stem = name.Trim(' ', '.');
        if (stem.Length == 0)
        {
            stem = SanitizeValue(jobId).Trim(' ', '.');
            stem = stem.Length == 0 ? "video" : stem;
        }
        // Windows opens the device for CON, and for "con.mp4" and "CON .txt" too.
        var dot = stem.IndexOf('.');
        var device = (dot < 0 ? stem : stem.Substring(0, dot)).TrimEnd(' ');
        if (ReservedNames.Contains(device))
        {
            stem = "_" + stem;
        }
        // A path starting with these is run as a formula when the ledger or a report is opened in Excel.
        // (Tabs and carriage returns never reach a stem.)
        if (SpreadsheetSafe.StartsFormula(stem))
        {
            stem = "_" + stem;
        }
        if (stem.Length > room)
        {
            stem = ShortText.Cut(stem, room, ellipsis: "").TrimEnd(' ', '.');
        }
        return stem + Extension;
    }

    /// <summary>Controls, lone surrogates, and format characters such as the bidi override U+202E that makes "gpj.exe" read as "exe.jpg".</summary>
    internal static bool IsInvisible(char c) =>
        char.IsControl(c)
        || char.IsSurrogate(c)
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static string Inside(string outputDirectory, string name)
    {
        string folder;
        string full;
        try
        {
            folder = Path.GetFullPath(outputDirectory);
            full = Path.GetFullPath(Path.Combine(folder, name));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw Invalid($"'{outputDirectory}' and '{name}' do not make a valid path: {e.Message}");
        }
        var parent = Path.GetDirectoryName(full);
        var separators = new[] { Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar };
        if (parent is null
            || !string.Equals(parent.TrimEnd(separators), folder.TrimEnd(separators), StringComparison.Ordinal)
            || !string.Equals(Path.GetFileName(full), name, StringComparison.Ordinal))
        {
            throw Invalid($"The file name '{name}' would leave the output folder '{folder}'.");
        }
        return full;
    }

    /// <summary>A stretch of a rendered name: literal text or a token's value, and whether it may be shortened.</summary>
    private sealed class Piece
    {
        public Piece(string text, bool fixedLength)
        {
            Text = text;
            FixedLength = fixedLength;
        }

        public string Text { get; set; }

        public bool FixedLength { get; }
    }

    private static HailuoException Invalid(string message) =>
        new(new HailuoError(HailuoErrorKind.Validation, message, "FileNameTemplate", HailuoRemedy.FixFileNameTemplate));
}
