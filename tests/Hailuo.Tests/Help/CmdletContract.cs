using System.Text.RegularExpressions;

namespace Hailuo.Tests.Help;

/// <summary>One parameter as docs/cmdlets.md states it.</summary>
public sealed class ContractParameter
{
    public ContractParameter(string name) => Name = name;

    public string Name { get; }

    /// <summary>The contract's own spelling: string, int?, bool?, SwitchParameter, HailuoJobInfo[]...</summary>
    public string Type { get; set; } = "";

    public bool Mandatory { get; set; }

    public int? Position { get; set; }

    public bool ByValue { get; set; }

    public bool ByPropertyName { get; set; }

    public HashSet<string> Aliases { get; } = new(StringComparer.Ordinal);

    /// <summary>Empty means every set.</summary>
    public HashSet<string> Sets { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ContractParameter Copy()
    {
        var copy = new ContractParameter(Name) { Type = Type, Mandatory = Mandatory, Position = Position, ByValue = ByValue, ByPropertyName = ByPropertyName };
        copy.Aliases.UnionWith(Aliases);
        copy.Sets.UnionWith(Sets);
        return copy;
    }

    /// <summary>The .NET type the help source must name for the contract's spelling.</summary>
    public string ExpectedDotNetType => Type switch
    {
        "string" => "System.String",
        "string[]" => "System.String[]",
        "int" => "System.Int32",
        "int?" => "System.Nullable[System.Int32]",
        "bool?" => "System.Nullable[System.Boolean]",
        "DateTime?" => "System.Nullable[System.DateTime]",
        "switch" or "SwitchParameter" => "System.Management.Automation.SwitchParameter",
        "PSObject" => "System.Management.Automation.PSObject",
        "SecureString" => "System.Security.SecureString",
        "hashtable" => "System.Collections.Hashtable",
        "HailuoJobInfo[]" => "Hailuo.PowerShell.HailuoJobInfo[]",
        _ => throw new InvalidOperationException($"docs/cmdlets.md gives -{Name} the type '{Type}', which this test does not know; add it to ExpectedDotNetType."),
    };
}

/// <summary>
/// Reads the cmdlet surface from docs/cmdlets.md, the contract the help must document: the table of
/// New-HailuoVideo, and the "`Name` type (binding...)" mentions in the other cmdlets' bullets. A bullet
/// "set "X": ..." puts its parameters in set X; "sets "Job" / "Id" as Wait-HailuoJob" copies those sets.
/// </summary>
public static partial class CmdletContract
{
    public static string Path => RepoPaths.Combine("docs", "cmdlets.md");

    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlyList<ContractParameter>>> Loaded = new(() => Parse(File.ReadAllText(Path)));

    /// <summary>Cmdlet name to its parameters, in the document's order.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<ContractParameter>> Cmdlets => Loaded.Value;

    [GeneratedRegex(@"^[A-Z][a-z]+-[A-Z][A-Za-z]+$")]
    private static partial Regex CmdletName();

    [GeneratedRegex(@"`([A-Z][A-Za-z]*)` ([A-Za-z]+(?:\[\])?\??)(?: \(([^)]*)\))?")]
    private static partial Regex Mention();

    [GeneratedRegex(@"^- set ""(\w+)"":")]
    private static partial Regex SetBullet();

    [GeneratedRegex(@"sets ""\w+""(?: / ""\w+"")* as ([A-Z][a-z]+-[A-Z][A-Za-z]+)")]
    private static partial Regex SetsAs();

    [GeneratedRegex(@"Position (\d+)")]
    private static partial Regex PositionText();

    [GeneratedRegex(@"(?<!not )mandatory", RegexOptions.IgnoreCase)]
    private static partial Regex MandatoryText();

    [GeneratedRegex(@"ValueFromPipeline(?!ByPropertyName)")]
    private static partial Regex ByValueText();

    [GeneratedRegex(@"set ""(\w+)""")]
    private static partial Regex TableSet();

    public static IReadOnlyDictionary<string, IReadOnlyList<ContractParameter>> Parse(string markdown)
    {
        var result = new Dictionary<string, List<ContractParameter>>(StringComparer.Ordinal);
        List<string>? current = null;
        foreach (var raw in markdown.Replace("\r\n", "\n").Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                // "## Connect-Hailuo / Disconnect-Hailuo / Get-HailuoConnection" documents three cmdlets;
                // "## HailuoJobInfo (...)" documents none.
                current = line[3..].Split('/').Select(s => s.Trim()).Where(s => CmdletName().IsMatch(s)).ToList();
                foreach (var name in current)
                {
                    result.TryAdd(name, new List<ContractParameter>());
                }
                continue;
            }
            if (current is null || current.Count == 0)
            {
                continue;
            }
            var owner = result[current[0]];
            if (line.StartsWith('|'))
            {
                ParseTableRow(line, owner);
            }
            else if (line.StartsWith("- ", StringComparison.Ordinal))
            {
                ParseBullet(line, owner, result);
            }
        }
        return result.ToDictionary(p => p.Key, p => (IReadOnlyList<ContractParameter>)p.Value, StringComparer.Ordinal);
    }

    private static void ParseTableRow(string line, List<ContractParameter> owner)
    {
        var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
        if (cells.Length < 4 || cells[0] == "parameter" || cells[0].StartsWith("---", StringComparison.Ordinal))
        {
            return;
        }
        var parameter = Add(owner, cells[0], cells[1]);
        var binding = cells[2];
        Apply(parameter, binding);
        foreach (Match set in TableSet().Matches(binding))
        {
            parameter.Sets.Add(set.Groups[1].Value);
        }
        foreach (var alias in cells[3].Split(',').Select(a => a.Trim()).Where(a => a.Length > 0))
        {
            parameter.Aliases.Add(alias);
        }
    }

    private static void ParseBullet(string line, List<ContractParameter> owner, Dictionary<string, List<ContractParameter>> all)
    {
        var setBullet = SetBullet().Match(line);
        var set = setBullet.Success ? setBullet.Groups[1].Value : null;
        var inherited = SetsAs().Match(line);
        if (inherited.Success)
        {
            // Only the set-specific parameters carry over (Job, Id, Provider), not Wait's own -Timeout.
            var source = all[inherited.Groups[1].Value];
            foreach (var parameter in source.Where(p => p.Sets.Count > 0))
            {
                if (!owner.Any(p => p.Name == parameter.Name))
                {
                    owner.Add(parameter.Copy());
                }
            }
        }
        foreach (Match mention in Mention().Matches(line))
        {
            var parameter = owner.FirstOrDefault(p => p.Name == mention.Groups[1].Value) ?? Add(owner, mention.Groups[1].Value, mention.Groups[2].Value);
            if (set is not null)
            {
                parameter.Sets.Add(set);
            }
            var details = mention.Groups[3].Value;
            Apply(parameter, details);
            var aliases = details.IndexOf("aliases ", StringComparison.Ordinal);
            if (aliases >= 0)
            {
                foreach (var alias in details[(aliases + "aliases ".Length)..].Split(',').Select(a => a.Trim()).Where(a => a.Length > 0))
                {
                    parameter.Aliases.Add(alias);
                }
            }
        }
    }

    private static ContractParameter Add(List<ContractParameter> owner, string name, string type)
    {
        var parameter = new ContractParameter(name) { Type = type };
        owner.Add(parameter);
        return parameter;
    }

    /// <summary>Binding facts from text such as "Mandatory, Position 0, ValueFromPipeline, aliases ...".</summary>
    private static void Apply(ContractParameter parameter, string text)
    {
        if (PositionText().Match(text) is { Success: true } position)
        {
            parameter.Position = int.Parse(position.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        parameter.Mandatory |= MandatoryText().IsMatch(text);
        parameter.ByValue |= ByValueText().IsMatch(text);
        parameter.ByPropertyName |= text.Contains("ByPropertyName", StringComparison.Ordinal);
    }
}
