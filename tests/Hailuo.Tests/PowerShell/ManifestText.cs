using System.Text.RegularExpressions;

namespace Hailuo.Tests.PowerShell;

/// <summary>
/// Reads <c>Key = 'value'</c> and <c>Key = @('a', 'b')</c> entries from a PowerShell data file's text, without
/// PowerShell. Enough for Hailuo.psd1: keys at any depth, single- or double-quoted strings, arrays over several
/// lines, comments left out. Not a general parser.
/// </summary>
public sealed partial class ManifestText
{
    private readonly Dictionary<string, IReadOnlyList<string>> _entries = new(StringComparer.OrdinalIgnoreCase);

    public ManifestText(string text)
    {
        var withoutComments = string.Join('\n', text.Split('\n').Select(line => line.TrimStart().StartsWith('#') ? "" : line));
        foreach (Match entry in Entry().Matches(withoutComments))
        {
            var key = entry.Groups["key"].Value;
            if (_entries.ContainsKey(key))
            {
                throw new InvalidDataException($"{key} is set twice in the manifest.");
            }
            _entries[key] = QuotedString().Matches(entry.Groups["value"].Value).Select(m => Unquote(m.Value)).ToArray();
        }
    }

    /// <summary>The strings the key is set to (one for a plain string); a failure when the key is not there.</summary>
    public IReadOnlyList<string> this[string key] =>
        _entries.TryGetValue(key, out var values) ? values : throw new Xunit.Sdk.XunitException($"The manifest does not set {key}.");

    public string Single(string key) => Assert.Single(this[key]);

    private static string Unquote(string quoted) => quoted[0] == '\''
        ? quoted[1..^1].Replace("''", "'")
        : quoted[1..^1];

    [GeneratedRegex(@"^\s*(?<key>[A-Za-z]+)\s*=\s*(?<value>@\((?:[^()'""]|'(?:[^']|'')*'|""[^""]*"")*\)|'(?:[^']|'')*'|""[^""]*"")", RegexOptions.Multiline)]
    private static partial Regex Entry();

    [GeneratedRegex(@"'(?:[^']|'')*'|""[^""]*""")]
    private static partial Regex QuotedString();
}
