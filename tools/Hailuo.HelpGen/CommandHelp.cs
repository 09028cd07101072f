using System;
using System.Collections.Generic;
using System.Linq;

namespace Hailuo.HelpGen;

/// <summary>One cmdlet's help, as read from docs/help/&lt;Verb-Noun&gt;.md.</summary>
public sealed class CommandHelp
{
    public CommandHelp(string name, string sourcePath)
    {
        Name = name;
        SourcePath = sourcePath;
        var dash = name.IndexOf('-', StringComparison.Ordinal);
        Verb = name.Substring(0, dash);
        Noun = name.Substring(dash + 1);
    }

    public string Name { get; }

    public string Verb { get; }

    public string Noun { get; }

    /// <summary>The file it came from, for messages.</summary>
    public string SourcePath { get; }

    /// <summary>The front matter's "external help file": the MAML file this help belongs in.</summary>
    public string ExternalHelpFile { get; set; } = "";

    /// <summary>The line (from 1) of the front matter's "external help file", for messages.</summary>
    public int ExternalHelpFileLine { get; set; }

    public List<string> Synopsis { get; } = new();

    /// <summary>The SYNTAX section's sets, the default first, each with its Get-Command syntax.</summary>
    public List<SyntaxHelp> Syntax { get; } = new();

    /// <summary>Paragraphs; a list item is one paragraph that starts with "- ".</summary>
    public List<string> Description { get; } = new();

    public List<ExampleHelp> Examples { get; } = new();

    public List<ParameterHelp> Parameters { get; } = new();

    public List<TypeHelp> Inputs { get; } = new();

    public List<TypeHelp> Outputs { get; } = new();

    public List<string> Notes { get; } = new();

    public List<LinkHelp> RelatedLinks { get; } = new();

    public ParameterHelp? FindParameter(string name) =>
        Parameters.Find(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The parameters of <paramref name="set"/>, in the order they are documented, each with its binding there.</summary>
    public IEnumerable<(ParameterHelp Parameter, ParameterSetHelp Binding)> ParametersIn(string set)
    {
        foreach (var parameter in Parameters)
        {
            if (parameter.InSet(set) is { } binding)
            {
                yield return (parameter, binding);
            }
        }
    }
}

/// <summary>One parameter set of the SYNTAX section: "### Name (Default)" and its fenced syntax.</summary>
public sealed record SyntaxHelp(string SetName, bool IsDefault, string Code);

public enum PipelineInput
{
    None,
    ByValue,
    ByPropertyName,
    ByValueAndByPropertyName,
}

/// <summary>A parameter's binding in one set, from the ParameterSets list of its yaml block.</summary>
public sealed class ParameterSetHelp
{
    /// <summary>platyPS's name for "every parameter set".</summary>
    public const string All = "(All)";

    public string Name { get; set; } = "";

    /// <summary>Null for a named parameter.</summary>
    public int? Position { get; set; }

    public bool IsRequired { get; set; }

    public bool ValueFromPipeline { get; set; }

    public bool ValueFromPipelineByPropertyName { get; set; }

    public bool IsAll => Name == All;
}

public sealed class ParameterHelp
{
    public const string SwitchType = "System.Management.Automation.SwitchParameter";

    public ParameterHelp(string name) => Name = name;

    public string Name { get; }

    /// <summary>The .NET type as PowerShell writes it: System.String, System.Nullable[System.Int32], Hailuo.PowerShell.HailuoJobInfo[].</summary>
    public string Type { get; set; } = "";

    /// <summary>What an omitted parameter means; empty when the help says nothing.</summary>
    public string DefaultValue { get; set; } = "";

    public bool SupportsWildcards { get; set; }

    public List<string> Aliases { get; } = new();

    public List<ParameterSetHelp> Sets { get; } = new();

    public List<string> Description { get; } = new();

    public bool IsSwitch => string.Equals(Type, SwitchType, StringComparison.Ordinal);

    public bool IsArray => Type.EndsWith("[]", StringComparison.Ordinal);

    /// <summary>This parameter's binding in <paramref name="set"/>, or null when it is not in that set.</summary>
    public ParameterSetHelp? InSet(string set) =>
        Sets.Find(s => string.Equals(s.Name, set, StringComparison.OrdinalIgnoreCase)) ?? Sets.Find(s => s.IsAll);

    /// <summary>Required in the list of parameters: mandatory in any set it belongs to.</summary>
    public bool Required => Sets.Any(s => s.IsRequired);

    /// <summary>The position the list of parameters shows: the first set's.</summary>
    public int? Position => Sets.Count == 0 ? null : Sets[0].Position;

    /// <summary>Pipeline input in any of its sets.</summary>
    public PipelineInput Pipeline
    {
        get
        {
            var byValue = Sets.Any(s => s.ValueFromPipeline);
            var byName = Sets.Any(s => s.ValueFromPipelineByPropertyName);
            return (byValue, byName) switch
            {
                (true, true) => PipelineInput.ByValueAndByPropertyName,
                (true, false) => PipelineInput.ByValue,
                (false, true) => PipelineInput.ByPropertyName,
                _ => PipelineInput.None,
            };
        }
    }

    /// <summary>What Get-Help shows in angle brackets: String, Int32, HailuoJobInfo[] (a nullable shows its value type).</summary>
    public string DisplayType => ShortTypeName(Type);

    public static string ShortTypeName(string type)
    {
        var t = type.Trim();
        var array = t.EndsWith("[]", StringComparison.Ordinal);
        if (array)
        {
            t = t.Substring(0, t.Length - 2);
        }
        const string nullable = "System.Nullable[";
        if (t.StartsWith(nullable, StringComparison.Ordinal) && t.EndsWith(']'))
        {
            t = t.Substring(nullable.Length, t.Length - nullable.Length - 1);
        }
        var dot = t.LastIndexOf('.');
        if (dot >= 0)
        {
            t = t.Substring(dot + 1);
        }
        return array ? t + "[]" : t;
    }
}

public sealed class TypeHelp
{
    public TypeHelp(string typeName) => TypeName = typeName;

    public string TypeName { get; }

    public List<string> Description { get; } = new();
}

public sealed class ExampleHelp
{
    public ExampleHelp(int number, string title)
    {
        Number = number;
        Title = title;
    }

    public int Number { get; }

    public string Title { get; }

    public string Code { get; set; } = "";

    public List<string> Remarks { get; } = new();
}

public sealed class LinkHelp
{
    public LinkHelp(string text, string? uri)
    {
        Text = text;
        Uri = uri;
    }

    public string Text { get; }

    public string? Uri { get; }
}

/// <summary>A help source that breaks the format; names the file and line so the build log points at it.</summary>
public sealed class HelpFormatException : Exception
{
    public HelpFormatException(string sourcePath, int line, string message)
        : base(message)
    {
        SourcePath = sourcePath;
        Line = line;
    }

    public string SourcePath { get; }

    public int Line { get; }

    /// <summary>MSBuild's canonical error form, so Exec reports it as an error at that line.</summary>
    public string ToCanonicalString() => $"{SourcePath}({Line}): error HELPGEN: {Message}";
}
