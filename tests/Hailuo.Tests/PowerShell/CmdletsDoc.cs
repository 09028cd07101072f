using System.Text.RegularExpressions;

namespace Hailuo.Tests.PowerShell;

/// <summary>What docs/cmdlets.md, the contract of the cmdlet surface, says, as tests compare against it.</summary>
public static partial class CmdletsDoc
{
    public static string Text { get; } = File.ReadAllText(RepoPaths.Combine("docs", "cmdlets.md"));

    /// <summary>The cmdlets the "## " headings name, such as New-HailuoVideo (a heading may name several, split by " / ").</summary>
    public static IReadOnlyList<string> CmdletNames { get; } = Text.Split('\n')
        .Where(line => line.StartsWith("## ", StringComparison.Ordinal))
        .SelectMany(line => line.Substring(3).Split(" / "))
        .Select(name => name.Trim())
        .Where(name => CmdletName().IsMatch(name))
        .ToArray();

    /// <summary>HailuoJobInfo's properties from its "Properties:" paragraph, in order.</summary>
    public static IReadOnlyList<string> JobInfoProperties { get; } = ReadJobInfoProperties();

    /// <summary>The values each completer offers, from the "Completers:" sentence: Provider, Model, Resolution, Duration.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> CompleterValues { get; } = ReadCompleterValues();

    private static string[] ReadJobInfoProperties()
    {
        var section = Text.Substring(Text.IndexOf("## HailuoJobInfo", StringComparison.Ordinal));
        var start = section.IndexOf("Properties:", StringComparison.Ordinal) + "Properties:".Length;
        var list = section.Substring(start, section.IndexOf(". When", start, StringComparison.Ordinal) - start);
        return Parenthesized().Replace(list, "").Split(',').Select(name => name.Trim()).ToArray();
    }

    private static Dictionary<string, IReadOnlyList<string>> ReadCompleterValues()
    {
        var start = Text.IndexOf("Completers:", StringComparison.Ordinal);
        var sentence = Text.Substring(start, Text.IndexOf('.', Text.IndexOf("Duration (", start, StringComparison.Ordinal)) - start);
        return NamedList().Matches(sentence).ToDictionary(
            match => match.Groups["name"].Value,
            match => (IReadOnlyList<string>)match.Groups["values"].Value.Split(',').Select(value => value.Trim()).ToArray());
    }

    [GeneratedRegex(@"^[A-Z][a-z]+-Hailuo[A-Za-z]*$")]
    private static partial Regex CmdletName();

    [GeneratedRegex(@"\([^)]*\)")]
    private static partial Regex Parenthesized();

    [GeneratedRegex(@"(?<name>\w+) \((?<values>[^)]*)\)")]
    private static partial Regex NamedList();
}
