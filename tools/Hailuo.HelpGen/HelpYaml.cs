using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Markdig.Extensions.Yaml;
using Markdig.Helpers;
using Markdig.Syntax;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace Hailuo.HelpGen;

/// <summary>A YAML text cut out of the Markdown, and the file line its first line is on, so errors point into the file.</summary>
internal readonly record struct YamlText(string Text, int FirstLine)
{
    public static YamlText From(StringLineGroup lines, Func<string, bool> skip)
    {
        var kept = lines.Lines.Take(lines.Count).Where(l => !skip(l.ToString())).ToList();
        return new YamlText(string.Join("\n", kept.Select(l => l.ToString())), kept.Count == 0 ? 0 : kept[0].Line);
    }

    /// <summary>The zero-based file line of a YamlDotNet mark (which counts from 1).</summary>
    public int FileLine(Mark mark) => FirstLine + (int)Math.Max(0, mark.Line - 1);
}

/// <summary>The front matter platyPS's schema 2024-05-01 requires of a cmdlet's help.</summary>
internal static partial class FrontMatter
{
    public const string SchemaVersion = "2024-05-01";

    public const string DocumentType = "document type";
    public const string ExternalHelpFile = "external help file";
    public const string HelpUri = "HelpUri";
    public const string Locale = "Locale";
    public const string ModuleName = "Module Name";
    public const string PlatyPSSchemaVersion = "PlatyPS schema version";
    public const string Title = "title";

    private static readonly string[] Required = { DocumentType, ExternalHelpFile, HelpUri, Locale, ModuleName, PlatyPSSchemaVersion, Title };

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ", RegexOptions.CultureInvariant)]
    public static partial Regex MarkPrefix();

    /// <summary>Reads and checks the front matter; returns its external help file and the line that names it.</summary>
    public static (string Value, int Line) Read(HelpMarkdown.Source source, YamlFrontMatterBlock block, string commandName)
    {
        var yaml = YamlText.From(block.Lines, line => line.Trim() is "---" or "...");
        var values = new Dictionary<string, (string Value, int Line)>(StringComparer.Ordinal);
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml.Text));
            if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                throw source.Error(block.Line, "The front matter is a YAML mapping of 'key: value' lines.");
            }
            foreach (var (key, value) in root.Children)
            {
                var name = ((YamlScalarNode)key).Value ?? "";
                values[name] = (value is YamlScalarNode scalar ? scalar.Value ?? "" : "", yaml.FileLine(key.Start));
            }
        }
        catch (YamlException e)
        {
            throw source.Error(yaml.FileLine(e.Start), "The front matter is not valid YAML: " + MarkPrefix().Replace(e.Message, ""));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's parser gives up this way on some broken input, without a position.
            throw source.Error(block.Line, "The front matter is not valid YAML.");
        }
        foreach (var key in Required)
        {
            if (!values.ContainsKey(key))
            {
                throw source.Error(block.Line, $"The front matter lacks '{key}:' (see docs/help/README.md).");
            }
        }
        Expect(DocumentType, "cmdlet");
        Expect(PlatyPSSchemaVersion, SchemaVersion);
        Expect(Title, commandName);
        foreach (var key in new[] { ExternalHelpFile, Locale, ModuleName })
        {
            if (values[key].Value.Trim().Length == 0)
            {
                throw source.Error(values[key].Line, $"The front matter's '{key}:' is empty.");
            }
        }
        return (values[ExternalHelpFile].Value.Trim(), values[ExternalHelpFile].Line + 1);

        void Expect(string key, string expected)
        {
            if (!string.Equals(values[key].Value, expected, StringComparison.Ordinal))
            {
                throw source.Error(values[key].Line, $"The front matter's '{key}:' is '{values[key].Value}'; it must be '{expected}'.");
            }
        }
    }
}

/// <summary>A parameter's ```yaml block as platyPS's schema 2024-05-01 writes it. Public for YamlDotNet, which fills it.</summary>
public sealed class ParameterYaml
{
    public string? Type { get; set; }

    public string? DefaultValue { get; set; }

    public bool? SupportsWildcards { get; set; }

    public List<string>? ParameterValue { get; set; }

    public List<string>? Aliases { get; set; }

    public List<ParameterSetYaml>? ParameterSets { get; set; }

    public bool? DontShow { get; set; }

    public List<string>? AcceptedValues { get; set; }

    public string? HelpMessage { get; set; }

    // Unknown keys are errors (YamlDotNet's default), so a misspelt key cannot pass unseen.
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    internal static void Read(HelpMarkdown.Source source, FencedCodeBlock block, string text, ParameterHelp parameter)
    {
        var yaml = new YamlText(text, block.Line + 1);
        ParameterYaml? read;
        try
        {
            read = Deserializer.Deserialize<ParameterYaml?>(text);
        }
        catch (YamlException e)
        {
            var message = FrontMatter.MarkPrefix().Replace((e.InnerException as YamlException ?? e).Message, "");
            throw source.Error(yaml.FileLine(e.Start), $"The yaml block of -{parameter.Name}: {message}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's parser gives up this way on some broken input, without a position.
            throw source.Error(block.Line, $"The yaml block of -{parameter.Name} is not valid YAML.");
        }
        if (read is null)
        {
            throw source.Error(block.Line, $"The yaml block of -{parameter.Name} is empty.");
        }
        var missing = new (string Key, object? Value)[]
        {
            (nameof(Type), read.Type), (nameof(DefaultValue), read.DefaultValue), (nameof(SupportsWildcards), read.SupportsWildcards),
            (nameof(ParameterValue), read.ParameterValue), (nameof(Aliases), read.Aliases), (nameof(ParameterSets), read.ParameterSets),
            (nameof(DontShow), read.DontShow), (nameof(AcceptedValues), read.AcceptedValues), (nameof(HelpMessage), read.HelpMessage),
        }.Where(f => f.Value is null).Select(f => f.Key).ToList();
        if (missing.Count > 0)
        {
            throw source.Error(block.Line, $"The yaml block of -{parameter.Name} lacks {string.Join(", ", missing.Select(k => k + ":"))} (tools/Update-CmdletDocs.ps1 writes them).");
        }
        if (read.ParameterSets!.Count == 0)
        {
            throw source.Error(block.Line, $"The yaml block of -{parameter.Name} lists no ParameterSets.");
        }
        parameter.Type = read.Type!.Trim();
        parameter.DefaultValue = read.DefaultValue!.Trim();
        parameter.SupportsWildcards = read.SupportsWildcards!.Value;
        parameter.Aliases.AddRange(read.Aliases!);
        // DontShow, AcceptedValues and HelpMessage are required above, as the schema has them, but the MAML has no use for them.
        foreach (var set in read.ParameterSets)
        {
            parameter.Sets.Add(set.ToHelp(source, block, parameter));
        }
        var twice = parameter.Sets.GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
        {
            throw source.Error(block.Line, $"The yaml block of -{parameter.Name} lists the set {twice.Key} twice.");
        }
        if (parameter.IsSwitch && parameter.Sets.Any(s => s.Position is not null))
        {
            throw source.Error(block.Line, $"-{parameter.Name} is a switch, and switches are named: give it Position: Named.");
        }
    }
}

/// <summary>One entry of a parameter's ParameterSets list.</summary>
public sealed class ParameterSetYaml
{
    public string? Name { get; set; }

    public string? Position { get; set; }

    public bool? IsRequired { get; set; }

    public bool? ValueFromPipeline { get; set; }

    public bool? ValueFromPipelineByPropertyName { get; set; }

    public bool? ValueFromRemainingArguments { get; set; }

    internal ParameterSetHelp ToHelp(HelpMarkdown.Source source, FencedCodeBlock block, ParameterHelp parameter)
    {
        if (Name is null || Position is null || IsRequired is null || ValueFromPipeline is null
            || ValueFromPipelineByPropertyName is null || ValueFromRemainingArguments is null)
        {
            throw source.Error(block.Line, $"Each ParameterSets entry of -{parameter.Name} has Name, Position, IsRequired, ValueFromPipeline, ValueFromPipelineByPropertyName and ValueFromRemainingArguments.");
        }
        int? position = null;
        if (!string.Equals(Position, "Named", StringComparison.OrdinalIgnoreCase))
        {
            if (!int.TryParse(Position, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                throw source.Error(block.Line, $"-{parameter.Name}'s Position in {Name} is '{Position}': a number from 0, or Named.");
            }
            position = number;
        }
        return new ParameterSetHelp
        {
            Name = Name.Trim(),
            Position = position,
            IsRequired = IsRequired.Value,
            ValueFromPipeline = ValueFromPipeline.Value,
            ValueFromPipelineByPropertyName = ValueFromPipelineByPropertyName.Value,
        };
    }
}
