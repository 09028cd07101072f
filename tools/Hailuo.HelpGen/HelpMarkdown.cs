using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace Hailuo.HelpGen;

/// <summary>
/// Reads one cmdlet's help from the strict Markdown form described in docs/help/README.md. Strict on
/// purpose: a misspelt field or a missing section fails the build instead of shipping thin help.
/// </summary>
public static class HelpMarkdown
{
    public const string Synopsis = "SYNOPSIS";
    public const string Description = "DESCRIPTION";
    public const string ParameterSets = "PARAMETER SETS";
    public const string Parameters = "PARAMETERS";
    public const string Inputs = "INPUTS";
    public const string Outputs = "OUTPUTS";
    public const string Notes = "NOTES";
    public const string Examples = "EXAMPLES";
    public const string RelatedLinks = "RELATED LINKS";

    /// <summary>The sections in the order they must appear, and whether each is required.</summary>
    public static readonly IReadOnlyList<(string Title, bool Required)> Sections = new[]
    {
        (Synopsis, true),
        (Description, true),
        (ParameterSets, false),
        (Parameters, true),
        (Inputs, true),
        (Outputs, true),
        (Notes, true),
        (Examples, true),
        (RelatedLinks, false),
    };

    public const int MinimumExamples = 2;

    private static readonly Regex CommandName = new(@"^[A-Z][a-z]+-[A-Z][A-Za-z]+$", RegexOptions.CultureInvariant);
    private static readonly Regex ParameterHeading = new(@"^### -([A-Za-z][A-Za-z0-9]*)$", RegexOptions.CultureInvariant);
    private static readonly Regex ExampleHeading = new(@"^### Example (\d+): (\S.*)$", RegexOptions.CultureInvariant);
    private static readonly Regex Field = new(@"^- ([A-Za-z]+): (\S.*)$", RegexOptions.CultureInvariant);
    private static readonly Regex Identifier = new(@"^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant);
    private static readonly Regex TypeName = new(@"^[A-Za-z_][A-Za-z0-9_.`\[\], ]*$", RegexOptions.CultureInvariant);
    private static readonly Regex MarkdownLink = new(@"^\[([^\]]+)\]\((\S+)\)$", RegexOptions.CultureInvariant);

    private static readonly string[] RequiredFields = { "Type", "Required", "Position", "Pipeline", "Aliases", "Sets" };
    private static readonly string[] OptionalFields = { "Default", "Wildcards" };

    public static CommandHelp ParseFile(string path) => Parse(File.ReadAllText(path, Encoding.UTF8), path);

    /// <summary>Parses <paramref name="text"/>; <paramref name="sourcePath"/> names it in errors and, when it has a .md name, must match the cmdlet.</summary>
    public static CommandHelp Parse(string text, string sourcePath)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var reader = new Reader(lines, sourcePath);

        var first = reader.FirstContentLine();
        if (first < 0 || !lines[first].StartsWith("# ", StringComparison.Ordinal))
        {
            throw reader.Error(Math.Max(first, 0), "The file must start with '# <Verb-Noun>', the cmdlet's name.");
        }
        var name = lines[first].Substring(2).Trim();
        if (!CommandName.IsMatch(name))
        {
            throw reader.Error(first, $"'{name}' is not a cmdlet name of the form Verb-Noun.");
        }
        var fileName = Path.GetFileNameWithoutExtension(sourcePath);
        if (sourcePath.EndsWith(".md", StringComparison.OrdinalIgnoreCase) && !string.Equals(fileName, name, StringComparison.Ordinal))
        {
            throw reader.Error(first, $"The heading names {name}, but the file is {fileName}.md: name the file after the cmdlet.");
        }

        var help = new CommandHelp(name, sourcePath);
        var sections = SplitSections(reader, first + 1);
        CheckSectionOrder(reader, sections);

        foreach (var section in sections)
        {
            switch (section.Title)
            {
                case Synopsis:
                    help.Synopsis.AddRange(ParseBlocks(reader, section.Start, section.End));
                    if (help.Synopsis.Count != 1 || help.Synopsis[0].StartsWith("- ", StringComparison.Ordinal))
                    {
                        throw reader.Error(section.Heading, "SYNOPSIS is one paragraph of plain text (Get-Help shows it in lists).");
                    }
                    break;
                case Description:
                    help.Description.AddRange(RequireText(reader, section, ParseBlocks(reader, section.Start, section.End)));
                    break;
                case ParameterSets:
                    ParseParameterSets(reader, section, help);
                    break;
                case Parameters:
                    ParseParameters(reader, section, help);
                    break;
                case Inputs:
                    help.Inputs.AddRange(ParseTypes(reader, section));
                    break;
                case Outputs:
                    help.Outputs.AddRange(ParseTypes(reader, section));
                    break;
                case Notes:
                    help.Notes.AddRange(RequireText(reader, section, ParseBlocks(reader, section.Start, section.End)));
                    break;
                case Examples:
                    ParseExamples(reader, section, help);
                    break;
                case RelatedLinks:
                    ParseLinks(reader, section, help);
                    break;
            }
        }
        CheckSets(reader, sections, help);
        return help;
    }

    private sealed record Section(string Title, int Heading, int Start, int End);

    private sealed class Reader
    {
        public Reader(string[] lines, string sourcePath)
        {
            Lines = lines;
            SourcePath = sourcePath;
        }

        public string[] Lines { get; }

        public string SourcePath { get; }

        public int FirstContentLine()
        {
            for (var i = 0; i < Lines.Length; i++)
            {
                if (Lines[i].Trim().Length > 0)
                {
                    return i;
                }
            }
            return -1;
        }

        /// <summary>Line numbers in messages count from 1, as editors do.</summary>
        public HelpFormatException Error(int index, string message) => new(SourcePath, index + 1, message);
    }

    private static List<Section> SplitSections(Reader reader, int start)
    {
        var lines = reader.Lines;
        var sections = new List<Section>();
        var headings = new List<(string Title, int Line)>();
        var inFence = false;
        for (var i = start; i < lines.Length; i++)
        {
            var line = lines[i];
            // A PowerShell comment such as "## note" inside an example must not start a section.
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }
            if (inFence)
            {
                continue;
            }
            if (line.StartsWith("# ", StringComparison.Ordinal))
            {
                throw reader.Error(i, "Only the first line is a '# ' heading; sections are '## ' headings.");
            }
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                headings.Add((line.Substring(3).Trim(), i));
            }
            else if (headings.Count == 0 && line.Trim().Length > 0)
            {
                throw reader.Error(i, "Text before the first section: start with '## SYNOPSIS'.");
            }
        }
        if (inFence)
        {
            throw reader.Error(lines.Length - 1, "A code block is not closed with ```.");
        }
        for (var h = 0; h < headings.Count; h++)
        {
            var end = h + 1 < headings.Count ? headings[h + 1].Line : lines.Length;
            sections.Add(new Section(headings[h].Title, headings[h].Line, headings[h].Line + 1, end));
        }
        return sections;
    }

    private static void CheckSectionOrder(Reader reader, List<Section> sections)
    {
        var order = Sections.Select(s => s.Title).ToList();
        var last = -1;
        foreach (var section in sections)
        {
            var index = order.IndexOf(section.Title);
            if (index < 0)
            {
                throw reader.Error(section.Heading, $"Unknown section '## {section.Title}'. Sections are: {string.Join(", ", order)}.");
            }
            if (index == last)
            {
                throw reader.Error(section.Heading, $"'## {section.Title}' appears twice.");
            }
            if (index < last)
            {
                throw reader.Error(section.Heading, $"'## {section.Title}' is out of order. The order is: {string.Join(", ", order)}.");
            }
            last = index;
        }
        foreach (var (title, required) in Sections)
        {
            if (required && !sections.Any(s => s.Title == title))
            {
                throw reader.Error(0, $"The '## {title}' section is missing.");
            }
        }
    }

    private static List<string> RequireText(Reader reader, Section section, List<string> blocks)
    {
        if (blocks.Count == 0)
        {
            throw reader.Error(section.Heading, $"'## {section.Title}' is empty.");
        }
        return blocks;
    }

    /// <summary>
    /// Paragraphs and "- " list items between two lines. A paragraph's lines join with a space; a list
    /// item continues on lines indented by two spaces. Headings and code blocks are not allowed here.
    /// </summary>
    private static List<string> ParseBlocks(Reader reader, int start, int end)
    {
        var blocks = new List<string>();
        StringBuilder? current = null;
        var inList = false;
        for (var i = start; i < end; i++)
        {
            var raw = reader.Lines[i];
            var line = raw.Trim();
            if (line.Length == 0)
            {
                Flush();
                continue;
            }
            if (line.StartsWith('#'))
            {
                throw reader.Error(i, $"Unexpected heading '{line}' here.");
            }
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                throw reader.Error(i, "A code block is only allowed as an example's code, one per example.");
            }
            if (raw.StartsWith("- ", StringComparison.Ordinal))
            {
                Flush();
                current = new StringBuilder("- ").Append(Inline(reader, i, line.Substring(2)));
                inList = true;
                continue;
            }
            if (inList && !raw.StartsWith("  ", StringComparison.Ordinal))
            {
                throw reader.Error(i, "After a list item, indent continuation lines by two spaces or leave a blank line before the next paragraph.");
            }
            if (current is null)
            {
                current = new StringBuilder(Inline(reader, i, line));
            }
            else
            {
                current.Append(' ').Append(Inline(reader, i, line));
            }
        }
        Flush();
        return blocks;

        void Flush()
        {
            if (current is not null)
            {
                blocks.Add(current.ToString());
            }
            current = null;
            inList = false;
        }
    }

    /// <summary>Inline text: backticks mark code in the source and are dropped, since Get-Help prints plain text.</summary>
    private static string Inline(Reader reader, int index, string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                throw reader.Error(index, "The line holds a control character; MAML cannot carry it.");
            }
        }
        return text.Replace("`", "", StringComparison.Ordinal);
    }

    private static void ParseParameterSets(Reader reader, Section section, CommandHelp help)
    {
        string? defaultSet = null;
        var sets = new List<string>();
        for (var i = section.Start; i < section.End; i++)
        {
            var line = reader.Lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }
            if (!line.StartsWith("- ", StringComparison.Ordinal))
            {
                throw reader.Error(i, "List each parameter set as '- Name', and mark one '- Name (default)'.");
            }
            var name = line.Substring(2).Trim();
            var isDefault = name.EndsWith("(default)", StringComparison.Ordinal);
            if (isDefault)
            {
                name = name.Substring(0, name.Length - "(default)".Length).Trim();
            }
            if (!Identifier.IsMatch(name))
            {
                throw reader.Error(i, $"'{name}' is not a parameter set name.");
            }
            if (sets.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw reader.Error(i, $"The parameter set {name} is listed twice.");
            }
            if (isDefault)
            {
                if (defaultSet is not null)
                {
                    throw reader.Error(i, $"Both {defaultSet} and {name} are marked (default).");
                }
                defaultSet = name;
            }
            sets.Add(name);
        }
        if (sets.Count < 2)
        {
            throw reader.Error(section.Heading, "List two or more parameter sets, or leave the section out for a cmdlet with one.");
        }
        if (defaultSet is null)
        {
            throw reader.Error(section.Heading, "Mark the default parameter set with '(default)'.");
        }
        // The default set leads, so Get-Help shows its syntax first, as PowerShell does.
        help.ParameterSets.Add(defaultSet);
        help.ParameterSets.AddRange(sets.Where(s => s != defaultSet));
    }

    private static void ParseParameters(Reader reader, Section section, CommandHelp help)
    {
        var headings = new List<int>();
        for (var i = section.Start; i < section.End; i++)
        {
            if (reader.Lines[i].StartsWith("### ", StringComparison.Ordinal))
            {
                headings.Add(i);
            }
        }
        if (headings.Count == 0)
        {
            var text = ParseBlocks(reader, section.Start, section.End);
            if (text.Count == 1 && text[0] == "None.")
            {
                return;
            }
            throw reader.Error(section.Heading, "Document each parameter under '### -Name', or write 'None.' for a cmdlet without parameters.");
        }
        if (ParseBlocks(reader, section.Start, headings[0]).Count > 0)
        {
            throw reader.Error(section.Start, "Text before the first '### -Name' parameter.");
        }
        for (var h = 0; h < headings.Count; h++)
        {
            var start = headings[h];
            var end = h + 1 < headings.Count ? headings[h + 1] : section.End;
            var match = ParameterHeading.Match(reader.Lines[start]);
            if (!match.Success)
            {
                throw reader.Error(start, "A parameter heading is '### -Name'.");
            }
            var parameter = new ParameterHelp(match.Groups[1].Value);
            if (help.FindParameter(parameter.Name) is not null)
            {
                throw reader.Error(start, $"-{parameter.Name} is documented twice.");
            }
            var next = ParseFields(reader, start, end, parameter);
            parameter.Description.AddRange(ParseBlocks(reader, next, end));
            if (parameter.Description.Count == 0)
            {
                throw reader.Error(start, $"-{parameter.Name} has no description.");
            }
            help.Parameters.Add(parameter);
        }
    }

    /// <summary>Reads the "- Key: value" lines under a parameter heading; returns the line after them.</summary>
    private static int ParseFields(Reader reader, int heading, int end, ParameterHelp parameter)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var i = heading + 1;
        while (i < end && reader.Lines[i].Trim().Length == 0)
        {
            i++;
        }
        for (; i < end; i++)
        {
            var line = reader.Lines[i].TrimEnd();
            if (line.Length == 0)
            {
                break;
            }
            var match = Field.Match(line);
            if (!match.Success)
            {
                throw reader.Error(i, $"Expected a field such as '- Type: System.String' under -{parameter.Name}, then a blank line and its description.");
            }
            var key = match.Groups[1].Value;
            var value = match.Groups[2].Value.Trim();
            if (!RequiredFields.Contains(key) && !OptionalFields.Contains(key))
            {
                throw reader.Error(i, $"Unknown field '{key}'. Fields are: {string.Join(", ", RequiredFields.Concat(OptionalFields))}.");
            }
            if (seen.ContainsKey(key))
            {
                throw reader.Error(i, $"The field '{key}' appears twice under -{parameter.Name}.");
            }
            seen[key] = i;
            ApplyField(reader, i, parameter, key, value);
        }
        foreach (var key in RequiredFields)
        {
            if (!seen.ContainsKey(key))
            {
                throw reader.Error(heading, $"-{parameter.Name} lacks the field '- {key}: ...'.");
            }
        }
        if (parameter.IsSwitch && parameter.Position is not null)
        {
            throw reader.Error(seen["Position"], $"-{parameter.Name} is a switch; switches are named, not positional.");
        }
        return i;
    }

    private static void ApplyField(Reader reader, int line, ParameterHelp parameter, string key, string value)
    {
        switch (key)
        {
            case "Type":
                if (!TypeName.IsMatch(value))
                {
                    throw reader.Error(line, $"'{value}' is not a type name such as System.String or System.Nullable[System.Int32].");
                }
                parameter.Type = value;
                break;
            case "Required":
                parameter.Required = Boolean(reader, line, key, value);
                break;
            case "Position":
                if (value == "named")
                {
                    parameter.Position = null;
                }
                else if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
                {
                    parameter.Position = position;
                }
                else
                {
                    throw reader.Error(line, $"Position is 'named' or a number, not '{value}'.");
                }
                break;
            case "Pipeline":
                parameter.Pipeline = value switch
                {
                    "false" => PipelineInput.None,
                    "ByValue" => PipelineInput.ByValue,
                    "ByPropertyName" => PipelineInput.ByPropertyName,
                    "ByValue, ByPropertyName" => PipelineInput.ByValueAndByPropertyName,
                    _ => throw reader.Error(line, $"Pipeline is false, ByValue, ByPropertyName or 'ByValue, ByPropertyName', not '{value}'."),
                };
                break;
            case "Aliases":
                if (value != "none")
                {
                    parameter.Aliases.AddRange(List(reader, line, key, value));
                }
                break;
            case "Sets":
                if (value != "All")
                {
                    parameter.Sets.AddRange(List(reader, line, key, value));
                }
                break;
            case "Default":
                parameter.DefaultValue = value.Replace("`", "", StringComparison.Ordinal);
                break;
            case "Wildcards":
                parameter.Globbing = Boolean(reader, line, key, value);
                break;
        }
    }

    private static bool Boolean(Reader reader, int line, string key, string value) => value switch
    {
        "true" => true,
        "false" => false,
        _ => throw reader.Error(line, $"{key} is true or false, not '{value}'."),
    };

    private static List<string> List(Reader reader, int line, string key, string value)
    {
        var items = value.Split(',').Select(v => v.Trim()).ToList();
        foreach (var item in items)
        {
            if (!Identifier.IsMatch(item))
            {
                throw reader.Error(line, $"{key}: '{item}' is not a name; separate names with commas.");
            }
        }
        if (items.Distinct(StringComparer.Ordinal).Count() != items.Count)
        {
            throw reader.Error(line, $"{key} lists a name twice.");
        }
        return items;
    }

    private static List<TypeHelp> ParseTypes(Reader reader, Section section)
    {
        var types = new List<TypeHelp>();
        var headings = new List<int>();
        for (var i = section.Start; i < section.End; i++)
        {
            if (reader.Lines[i].StartsWith("### ", StringComparison.Ordinal))
            {
                headings.Add(i);
            }
        }
        if (headings.Count == 0)
        {
            throw reader.Error(section.Heading, $"List each type under '### TypeName' in '## {section.Title}', or '### None'.");
        }
        if (ParseBlocks(reader, section.Start, headings[0]).Count > 0)
        {
            throw reader.Error(section.Start, $"Text before the first '### TypeName' in '## {section.Title}'.");
        }
        for (var h = 0; h < headings.Count; h++)
        {
            var start = headings[h];
            var end = h + 1 < headings.Count ? headings[h + 1] : section.End;
            var name = reader.Lines[start].Substring(4).Trim();
            if (!TypeName.IsMatch(name))
            {
                throw reader.Error(start, $"'{name}' is not a type name.");
            }
            var type = new TypeHelp(name);
            type.Description.AddRange(ParseBlocks(reader, start + 1, end));
            if (type.Description.Count == 0 && name != "None")
            {
                throw reader.Error(start, $"Say what {name} carries.");
            }
            types.Add(type);
        }
        return types;
    }

    private static void ParseExamples(Reader reader, Section section, CommandHelp help)
    {
        var headings = new List<int>();
        var inFence = false;
        for (var i = section.Start; i < section.End; i++)
        {
            var line = reader.Lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }
            else if (!inFence && line.StartsWith("### ", StringComparison.Ordinal))
            {
                headings.Add(i);
            }
        }
        if (headings.Count < MinimumExamples)
        {
            throw reader.Error(section.Heading, $"Give at least {MinimumExamples} examples, each under '### Example N: Title'.");
        }
        if (ParseBlocks(reader, section.Start, headings[0]).Count > 0)
        {
            throw reader.Error(section.Start, "Text before the first '### Example 1: ...'.");
        }
        for (var h = 0; h < headings.Count; h++)
        {
            var start = headings[h];
            var end = h + 1 < headings.Count ? headings[h + 1] : section.End;
            var match = ExampleHeading.Match(reader.Lines[start]);
            if (!match.Success)
            {
                throw reader.Error(start, "An example heading is '### Example N: Title'.");
            }
            var number = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            if (number != h + 1)
            {
                throw reader.Error(start, $"Examples are numbered from 1 in order; expected Example {h + 1}.");
            }
            var example = new ExampleHelp(number, match.Groups[2].Value.Trim());
            var i = start + 1;
            while (i < end && reader.Lines[i].Trim().Length == 0)
            {
                i++;
            }
            if (i >= end || !(reader.Lines[i].Trim() is "```powershell" or "```"))
            {
                throw reader.Error(i < end ? i : start, "An example starts with its code in a ```powershell block.");
            }
            var code = new List<string>();
            for (i++; i < end && reader.Lines[i].Trim() != "```"; i++)
            {
                code.Add(reader.Lines[i].TrimEnd());
            }
            if (i >= end)
            {
                throw reader.Error(start, "The example's code block is not closed with ```.");
            }
            if (code.All(c => c.Trim().Length == 0))
            {
                throw reader.Error(start, "The example's code block is empty.");
            }
            example.Code = string.Join("\n", code);
            example.Remarks.AddRange(ParseBlocks(reader, i + 1, end));
            if (example.Remarks.Count == 0)
            {
                throw reader.Error(start, "Say what the example does, after its code block.");
            }
            help.Examples.Add(example);
        }
    }

    private static void ParseLinks(Reader reader, Section section, CommandHelp help)
    {
        for (var i = section.Start; i < section.End; i++)
        {
            var line = reader.Lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }
            if (!line.StartsWith("- ", StringComparison.Ordinal))
            {
                throw reader.Error(i, "List each related link as '- Name' or '- [Text](https://...)'.");
            }
            var item = line.Substring(2).Trim();
            var link = MarkdownLink.Match(item);
            help.RelatedLinks.Add(link.Success ? new LinkHelp(link.Groups[1].Value, link.Groups[2].Value) : new LinkHelp(item, null));
        }
    }

    /// <summary>Every set a parameter names is declared, and no two parameters of one set share a position.</summary>
    private static void CheckSets(Reader reader, List<Section> sections, CommandHelp help)
    {
        var heading = sections.First(s => s.Title == Parameters).Heading;
        foreach (var parameter in help.Parameters)
        {
            foreach (var set in parameter.Sets)
            {
                if (!help.ParameterSets.Contains(set, StringComparer.OrdinalIgnoreCase))
                {
                    throw reader.Error(heading, help.ParameterSets.Count == 0
                        ? $"-{parameter.Name} names the set {set}, but there is no '## PARAMETER SETS' section."
                        : $"-{parameter.Name} names the set {set}, which '## PARAMETER SETS' does not list.");
                }
            }
        }
        var sets = help.ParameterSets.Count == 0 ? new List<string> { "" } : help.ParameterSets;
        foreach (var set in sets)
        {
            var positioned = help.Parameters.Where(p => p.Position is not null && (set.Length == 0 || p.InSet(set)));
            foreach (var clash in positioned.GroupBy(p => p.Position).Where(g => g.Count() > 1))
            {
                throw reader.Error(heading, $"{string.Join(" and ", clash.Select(p => "-" + p.Name))} share position {clash.Key}{(set.Length == 0 ? "" : " in the set " + set)}.");
            }
        }
    }
}
