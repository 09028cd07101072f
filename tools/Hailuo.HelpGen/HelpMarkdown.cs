using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Hailuo.HelpGen;

/// <summary>
/// Reads one cmdlet's help from platyPS's Markdown schema (2024-05-01), as docs/help/README.md describes
/// it: the Markdown with Markdig, the front matter and each parameter's yaml block with YamlDotNet.
/// Strict on purpose: a misspelt key, a missing section or a stub left in fails the build, with the
/// file and line, instead of shipping thin help.
/// </summary>
public static partial class HelpMarkdown
{
    public const string Synopsis = "SYNOPSIS";
    public const string Syntax = "SYNTAX";
    public const string Aliases = "ALIASES";
    public const string Description = "DESCRIPTION";
    public const string Examples = "EXAMPLES";
    public const string Parameters = "PARAMETERS";
    public const string Inputs = "INPUTS";
    public const string Outputs = "OUTPUTS";
    public const string Notes = "NOTES";
    public const string RelatedLinks = "RELATED LINKS";

    /// <summary>The sections, every one required, in the order they must appear.</summary>
    public static readonly IReadOnlyList<string> Sections = new[]
    {
        Synopsis, Syntax, Aliases, Description, Examples, Parameters, Inputs, Outputs, Notes, RelatedLinks,
    };

    public const int MinimumExamples = 2;

    /// <summary>The H3 under PARAMETERS that platyPS keeps for the common parameters; Get-Help adds their text itself.</summary>
    public const string CommonParameters = "CommonParameters";

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().Build();

    [GeneratedRegex(@"^[A-Z][a-z]+-[A-Z][A-Za-z]+$", RegexOptions.CultureInvariant)]
    private static partial Regex CommandName();

    [GeneratedRegex(@"^-([A-Za-z][A-Za-z0-9]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterHeading();

    [GeneratedRegex(@"^Example (\d+): (\S.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex ExampleHeading();

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)( \(Default\))?$", RegexOptions.CultureInvariant)]
    private static partial Regex SyntaxHeading();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.`\[\], ]*$", RegexOptions.CultureInvariant)]
    private static partial Regex TypeName();

    /// <summary>The placeholders tools/Update-CmdletDocs.ps1 (and platyPS) write for text a person must supply: "{{ Fill in ... }}".</summary>
    [GeneratedRegex(@"\{\{ *(Fill|Insert)\b[^{}]*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    public static CommandHelp ParseFile(string path) => Parse(File.ReadAllText(path, Encoding.UTF8), path);

    /// <summary>Parses <paramref name="text"/>; <paramref name="sourcePath"/> names it in errors and, when it has a .md name, must match the cmdlet.</summary>
    public static CommandHelp Parse(string text, string sourcePath)
    {
        var source = new Source(sourcePath);
        var document = Markdown.Parse(text.Replace("\r\n", "\n", StringComparison.Ordinal), Pipeline);
        // A fenced block left open swallows what follows: to the end of the file, or to the end of the
        // next block, whose opening ```yaml or ```powershell line it then holds.
        if (document.Descendants<FencedCodeBlock>().FirstOrDefault(b => b.ClosingFencedCharCount == 0 || CodeText(b).Split('\n').Any(l => l.TrimStart().StartsWith("```", StringComparison.Ordinal))) is { } open)
        {
            throw source.Error(open.Line, "This code block is not closed with a line of ```.");
        }
        var blocks = document.ToList();
        if (blocks.Count == 0 || blocks[0] is not YamlFrontMatterBlock frontMatter)
        {
            throw source.Error(0, "The file must start with the YAML front matter, between two '---' lines (see docs/help/README.md).");
        }
        if (blocks.Count < 2 || blocks[1] is not HeadingBlock { Level: 1 } title)
        {
            throw source.Error(blocks.Count < 2 ? frontMatter.Line : blocks[1].Line, "After the front matter comes '# <Verb-Noun>', the cmdlet's name.");
        }
        var name = InlineText(source, title);
        if (!CommandName().IsMatch(name))
        {
            throw source.Error(title.Line, $"'{name}' is not a cmdlet name of the form Verb-Noun.");
        }
        var fileName = Path.GetFileNameWithoutExtension(sourcePath);
        if (sourcePath.EndsWith(".md", StringComparison.OrdinalIgnoreCase) && !string.Equals(fileName, name, StringComparison.Ordinal))
        {
            throw source.Error(title.Line, $"The heading names {name}, but the file is {fileName}.md: name the file after the cmdlet.");
        }

        var help = new CommandHelp(name, sourcePath);
        (help.ExternalHelpFile, help.ExternalHelpFileLine) = FrontMatter.Read(source, frontMatter, name);
        var sections = SplitSections(source, blocks.Skip(2), title.Line);
        foreach (var section in sections)
        {
            switch (section.Title)
            {
                case Synopsis:
                    help.Synopsis.AddRange(RequireText(source, section, Paragraphs(source, section.Blocks)));
                    if (help.Synopsis.Count != 1 || help.Synopsis[0].StartsWith("- ", StringComparison.Ordinal))
                    {
                        throw source.Error(section.Heading, "SYNOPSIS is one paragraph of plain text (Get-Help shows it in lists).");
                    }
                    break;
                case Syntax:
                    ParseSyntax(source, section, help);
                    break;
                case Aliases:
                    // Get-Help lists a command's aliases from the session, so MAML has no place for them.
                    Paragraphs(source, section.Blocks);
                    break;
                case Description:
                    help.Description.AddRange(RequireText(source, section, Paragraphs(source, section.Blocks)));
                    break;
                case Examples:
                    ParseExamples(source, section, help);
                    break;
                case Parameters:
                    ParseParameters(source, section, help);
                    break;
                case Inputs:
                    help.Inputs.AddRange(ParseTypes(source, section));
                    break;
                case Outputs:
                    help.Outputs.AddRange(ParseTypes(source, section));
                    break;
                case Notes:
                    help.Notes.AddRange(RequireText(source, section, Paragraphs(source, section.Blocks)));
                    break;
                case RelatedLinks:
                    ParseLinks(source, section, help);
                    break;
            }
        }
        CheckSets(source, sections.First(s => s.Title == Parameters), help);
        return help;
    }

    /// <summary>The file being read, for errors; Markdig counts lines from 0, editors and MSBuild from 1.</summary>
    internal sealed class Source
    {
        public Source(string path) => Path = path;

        public string Path { get; }

        public HelpFormatException Error(int zeroBasedLine, string message) => new(Path, zeroBasedLine + 1, message);
    }

    /// <summary>A "## " section: its heading's line and the blocks up to the next one.</summary>
    private sealed record Section(string Title, int Heading, List<Block> Blocks);

    /// <summary>A "### " subsection: its heading's text and line, and the blocks up to the next heading.</summary>
    private sealed record Subsection(string Title, int Heading, List<Block> Blocks);

    private static List<Section> SplitSections(Source source, IEnumerable<Block> blocks, int titleLine)
    {
        var sections = new List<Section>();
        foreach (var block in blocks)
        {
            if (block is HeadingBlock { Level: 1 })
            {
                throw source.Error(block.Line, "Only the cmdlet's name is a '# ' heading; sections are '## ' headings.");
            }
            if (block is HeadingBlock { Level: 2 } heading)
            {
                sections.Add(new Section(InlineText(source, heading), heading.Line, new List<Block>()));
            }
            else if (sections.Count == 0)
            {
                throw source.Error(block.Line, "Text before the first section: start with '## SYNOPSIS'.");
            }
            else
            {
                sections[^1].Blocks.Add(block);
            }
        }
        var last = -1;
        foreach (var section in sections)
        {
            var index = Sections.ToList().IndexOf(section.Title);
            if (index < 0)
            {
                throw source.Error(section.Heading, $"Unknown section '## {section.Title}'. Sections are: {string.Join(", ", Sections)}.");
            }
            if (index == last)
            {
                throw source.Error(section.Heading, $"'## {section.Title}' appears twice.");
            }
            if (index < last)
            {
                throw source.Error(section.Heading, $"'## {section.Title}' is out of order. The order is: {string.Join(", ", Sections)}.");
            }
            last = index;
        }
        foreach (var title in Sections)
        {
            if (!sections.Any(s => s.Title == title))
            {
                throw source.Error(titleLine, $"The '## {title}' section is missing.");
            }
        }
        return sections;
    }

    /// <summary>Splits a section at its "### " headings; nothing but headings may stand before the first.</summary>
    private static List<Subsection> SplitSubsections(Source source, Section section, string expected)
    {
        var subsections = new List<Subsection>();
        foreach (var block in section.Blocks)
        {
            if (block is HeadingBlock { Level: 3 } heading)
            {
                subsections.Add(new Subsection(InlineText(source, heading), heading.Line, new List<Block>()));
            }
            else if (block is HeadingBlock other)
            {
                throw source.Error(other.Line, $"Under '## {section.Title}' only '### ' headings are allowed.");
            }
            else if (subsections.Count == 0)
            {
                throw source.Error(block.Line, $"Text before the first {expected} of '## {section.Title}'.");
            }
            else
            {
                subsections[^1].Blocks.Add(block);
            }
        }
        return subsections;
    }

    private static List<string> RequireText(Source source, Section section, List<string> paragraphs)
    {
        if (paragraphs.Count == 0)
        {
            throw source.Error(section.Heading, $"'## {section.Title}' is empty.");
        }
        return paragraphs;
    }

    /// <summary>
    /// Paragraphs and "- " list items: a paragraph's lines join with a space, a list item is one
    /// paragraph that starts with "- ". Headings, code blocks, quotes and HTML are not allowed here.
    /// </summary>
    private static List<string> Paragraphs(Source source, IEnumerable<Block> blocks)
    {
        var paragraphs = new List<string>();
        foreach (var block in blocks)
        {
            switch (block)
            {
                case ParagraphBlock paragraph:
                    paragraphs.Add(InlineText(source, paragraph));
                    break;
                case ListBlock { IsOrdered: false } list:
                    foreach (var item in list.OfType<ListItemBlock>())
                    {
                        var parts = new List<string>();
                        foreach (var inner in item)
                        {
                            if (inner is not ParagraphBlock itemParagraph)
                            {
                                throw source.Error(inner.Line, "A list item holds text only: no nested lists, headings or code.");
                            }
                            parts.Add(InlineText(source, itemParagraph));
                        }
                        paragraphs.Add("- " + string.Join(" ", parts));
                    }
                    break;
                case LinkReferenceDefinitionGroup:
                    break;
                case HeadingBlock heading:
                    throw source.Error(heading.Line, $"Unexpected heading '{InlineText(source, heading)}' here.");
                case CodeBlock code:
                    throw source.Error(code.Line, "A code block is only allowed as an example's code, or as a parameter's yaml block.");
                default:
                    throw source.Error(block.Line, $"Get-Help shows plain paragraphs and '- ' lists; this {BlockKind(block)} cannot be carried into MAML.");
            }
        }
        return paragraphs;
    }

    private static string BlockKind(Block block) => block switch
    {
        ListBlock => "numbered list",
        QuoteBlock => "quote",
        HtmlBlock => "HTML",
        ThematicBreakBlock => "horizontal rule",
        _ => block.GetType().Name,
    };

    /// <summary>
    /// A heading's or paragraph's text, as Get-Help prints it: code, emphasis and link marks are
    /// dropped, line breaks become spaces.
    /// </summary>
    private static string InlineText(Source source, LeafBlock block)
    {
        var text = new StringBuilder();
        if (block.Inline is not null)
        {
            Append(block.Inline);
        }
        var result = text.ToString().Trim();
        foreach (var c in result)
        {
            if (char.IsControl(c))
            {
                throw source.Error(block.Line, "The text holds a control character (a tab?); MAML cannot carry it.");
            }
        }
        if (Placeholder().Match(result) is { Success: true } placeholder)
        {
            throw source.Error(block.Line, $"'{placeholder.Value}' is a placeholder from tools/Update-CmdletDocs.ps1: write the text it stands for.");
        }
        return result;

        void Append(Inline inline)
        {
            switch (inline)
            {
                case LiteralInline literal:
                    text.Append(literal.Content.ToString());
                    break;
                case CodeInline code:
                    text.Append(code.Content);
                    break;
                case AutolinkInline autolink:
                    text.Append(autolink.Url);
                    break;
                case HtmlInline html:
                    text.Append(html.Tag);
                    break;
                case HtmlEntityInline entity:
                    text.Append(entity.Transcoded.ToString());
                    break;
                case LineBreakInline:
                    TrimEnd();
                    text.Append(' ');
                    break;
                case ContainerInline container:
                    foreach (var child in container)
                    {
                        Append(child);
                    }
                    break;
                default:
                    text.Append(inline.ToString());
                    break;
            }
        }

        void TrimEnd()
        {
            while (text.Length > 0 && text[^1] == ' ')
            {
                text.Length--;
            }
        }
    }

    private static string CodeText(FencedCodeBlock code) =>
        string.Join("\n", code.Lines.Lines.Take(code.Lines.Count).Select(l => l.ToString().TrimEnd()));

    private static void ParseSyntax(Source source, Section section, CommandHelp help)
    {
        var sets = SplitSubsections(source, section, "'### SetName' heading");
        if (sets.Count == 0)
        {
            throw source.Error(section.Heading, "List each parameter set under '### SetName' (the default one '### SetName (Default)'), with its syntax in a ``` block.");
        }
        foreach (var set in sets)
        {
            var match = SyntaxHeading().Match(set.Title);
            if (!match.Success)
            {
                throw source.Error(set.Heading, "A parameter set's heading is '### SetName' or '### SetName (Default)'.");
            }
            var name = match.Groups[1].Value;
            if (help.Syntax.Any(s => string.Equals(s.SetName, name, StringComparison.OrdinalIgnoreCase)))
            {
                throw source.Error(set.Heading, $"The parameter set {name} is listed twice.");
            }
            if (set.Blocks.Count != 1 || set.Blocks[0] is not FencedCodeBlock code)
            {
                throw source.Error(set.Heading, $"Under '### {set.Title}' comes the set's syntax in one ``` block, and nothing else.");
            }
            var syntax = CodeText(code).Trim();
            if (!syntax.StartsWith(help.Name + " ", StringComparison.Ordinal))
            {
                throw source.Error(code.Line, $"The syntax of {name} starts with the cmdlet's name, {help.Name}.");
            }
            help.Syntax.Add(new SyntaxHelp(name, match.Groups[2].Success, syntax));
        }
        var defaults = help.Syntax.Where(s => s.IsDefault).ToList();
        if (defaults.Count > 1 || (defaults.Count == 0 && help.Syntax.Count > 1))
        {
            throw source.Error(section.Heading, "Mark exactly one parameter set '(Default)'.");
        }
        // The default set leads, so Get-Help shows its syntax first, as PowerShell does.
        if (defaults.Count == 1)
        {
            help.Syntax.Remove(defaults[0]);
            help.Syntax.Insert(0, defaults[0]);
        }
    }

    private static void ParseExamples(Source source, Section section, CommandHelp help)
    {
        var examples = SplitSubsections(source, section, "'### Example 1: Title'");
        if (examples.Count < MinimumExamples)
        {
            throw source.Error(section.Heading, $"Give at least {MinimumExamples} examples, each under '### Example N: Title'.");
        }
        foreach (var (subsection, index) in examples.Select((e, i) => (e, i)))
        {
            var match = ExampleHeading().Match(subsection.Title);
            if (!match.Success)
            {
                throw source.Error(subsection.Heading, "An example heading is '### Example N: Title'.");
            }
            var number = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            if (number != index + 1)
            {
                throw source.Error(subsection.Heading, $"Examples are numbered from 1 in order; expected Example {index + 1}.");
            }
            if (subsection.Blocks.Count == 0 || subsection.Blocks[0] is not FencedCodeBlock { Info: "powershell" or "" or null } code)
            {
                throw source.Error(subsection.Heading, "An example starts with its code in a ```powershell block.");
            }
            var example = new ExampleHelp(number, match.Groups[2].Value.Trim())
            {
                Code = CodeText(code).Trim('\n'),
            };
            if (example.Code.Trim().Length == 0)
            {
                throw source.Error(code.Line, "The example's code block is empty.");
            }
            var rest = subsection.Blocks.Skip(1).ToList();
            if (rest.OfType<CodeBlock>().FirstOrDefault() is { } second)
            {
                throw source.Error(second.Line, "One code block per example: Get-Help shows one.");
            }
            example.Remarks.AddRange(Paragraphs(source, rest));
            if (example.Remarks.Count == 0)
            {
                throw source.Error(subsection.Heading, "Say what the example does, after its code block.");
            }
            help.Examples.Add(example);
        }
    }

    private static void ParseParameters(Source source, Section section, CommandHelp help)
    {
        foreach (var subsection in SplitSubsections(source, section, "'### -Name' parameter"))
        {
            if (subsection.Title == CommonParameters)
            {
                Paragraphs(source, subsection.Blocks);
                continue;
            }
            var match = ParameterHeading().Match(subsection.Title);
            if (!match.Success)
            {
                throw source.Error(subsection.Heading, $"A parameter heading is '### -Name' (or '### {CommonParameters}').");
            }
            var parameter = new ParameterHelp(match.Groups[1].Value);
            if (help.FindParameter(parameter.Name) is not null)
            {
                throw source.Error(subsection.Heading, $"-{parameter.Name} is documented twice.");
            }
            var blocks = subsection.Blocks;
            if (blocks.Count == 0 || blocks[^1] is not FencedCodeBlock { Info: "yaml" } yaml)
            {
                throw source.Error(subsection.Heading, $"-{parameter.Name} ends with its ```yaml block (tools/Update-CmdletDocs.ps1 writes it).");
            }
            ParameterYaml.Read(source, yaml, CodeText(yaml), parameter);
            parameter.Description.AddRange(Paragraphs(source, blocks.Take(blocks.Count - 1)));
            if (parameter.Description.Count == 0)
            {
                throw source.Error(subsection.Heading, $"-{parameter.Name} has no description.");
            }
            help.Parameters.Add(parameter);
        }
    }

    private static List<TypeHelp> ParseTypes(Source source, Section section)
    {
        var types = new List<TypeHelp>();
        var subsections = SplitSubsections(source, section, "'### TypeName'");
        if (subsections.Count == 0)
        {
            throw source.Error(section.Heading, $"List the types under '### TypeName', or '### None'.");
        }
        foreach (var subsection in subsections)
        {
            if (!TypeName().IsMatch(subsection.Title))
            {
                throw source.Error(subsection.Heading, $"'{subsection.Title}' is not a type name.");
            }
            var type = new TypeHelp(subsection.Title);
            type.Description.AddRange(Paragraphs(source, subsection.Blocks));
            if (type.Description.Count == 0 && type.TypeName != "None")
            {
                throw source.Error(subsection.Heading, $"Say what {type.TypeName} carries.");
            }
            types.Add(type);
        }
        return types;
    }

    private static void ParseLinks(Source source, Section section, CommandHelp help)
    {
        foreach (var block in section.Blocks)
        {
            if (block is not ListBlock { IsOrdered: false } list)
            {
                throw source.Error(block.Line, "List each related link as '- Name' or '- [Text](https://...)'.");
            }
            foreach (var item in list.OfType<ListItemBlock>())
            {
                if (item.Count != 1 || item[0] is not ParagraphBlock paragraph)
                {
                    throw source.Error(item.Line, "A related link is one line: '- Name' or '- [Text](https://...)'.");
                }
                var inlines = paragraph.Inline?.ToList() ?? new List<Inline>();
                help.RelatedLinks.Add(inlines is [LinkInline { IsImage: false } link]
                    ? new LinkHelp(InlineText(source, paragraph), link.Url)
                    : new LinkHelp(InlineText(source, paragraph), null));
            }
        }
    }

    /// <summary>Every set a parameter names is one of SYNTAX's, and no two parameters of one set share a position.</summary>
    private static void CheckSets(Source source, Section parameters, CommandHelp help)
    {
        foreach (var parameter in help.Parameters)
        {
            foreach (var set in parameter.Sets.Where(s => !s.IsAll))
            {
                if (!help.Syntax.Any(s => string.Equals(s.SetName, set.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    throw source.Error(parameters.Heading, $"-{parameter.Name} names the set {set.Name}, which '## SYNTAX' does not list.");
                }
            }
        }
        foreach (var set in help.Syntax)
        {
            var positioned = help.ParametersIn(set.SetName).Where(x => x.Binding.Position is not null);
            foreach (var clash in positioned.GroupBy(x => x.Binding.Position).Where(g => g.Count() > 1))
            {
                throw source.Error(parameters.Heading, $"{string.Join(" and ", clash.Select(x => "-" + x.Parameter.Name))} share position {clash.Key} in the set {set.SetName}.");
            }
        }
    }
}
