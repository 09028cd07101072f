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

    public List<string> Synopsis { get; } = new();

    /// <summary>Paragraphs; a list item is one paragraph that starts with "- ".</summary>
    public List<string> Description { get; } = new();

    /// <summary>Declared sets, the default first; empty when the cmdlet has a single unnamed set.</summary>
    public List<string> ParameterSets { get; } = new();

    public List<ParameterHelp> Parameters { get; } = new();

    public List<TypeHelp> Inputs { get; } = new();

    public List<TypeHelp> Outputs { get; } = new();

    public List<string> Notes { get; } = new();

    public List<ExampleHelp> Examples { get; } = new();

    public List<LinkHelp> RelatedLinks { get; } = new();

    public ParameterHelp? FindParameter(string name) =>
        Parameters.Find(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}

public enum PipelineInput
{
    None,
    ByValue,
    ByPropertyName,
    ByValueAndByPropertyName,
}

public sealed class ParameterHelp
{
    public const string SwitchType = "System.Management.Automation.SwitchParameter";

    public ParameterHelp(string name) => Name = name;

    public string Name { get; }

    /// <summary>The .NET type as PowerShell writes it: System.String, System.Nullable[System.Int32], Hailuo.PowerShell.HailuoJobInfo[].</summary>
    public string Type { get; set; } = "";

    public bool Required { get; set; }

    /// <summary>Null for a named parameter.</summary>
    public int? Position { get; set; }

    public PipelineInput Pipeline { get; set; }

    public List<string> Aliases { get; } = new();

    /// <summary>Empty means every set.</summary>
    public List<string> Sets { get; } = new();

    public string? DefaultValue { get; set; }

    public bool Globbing { get; set; }

    public List<string> Description { get; } = new();

    public bool IsSwitch => string.Equals(Type, SwitchType, StringComparison.Ordinal);

    public bool IsArray => Type.EndsWith("[]", StringComparison.Ordinal);

    public bool InSet(string set) => Sets.Count == 0 || Sets.Contains(set, StringComparer.OrdinalIgnoreCase);

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
