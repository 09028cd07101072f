using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;

namespace Hailuo.HelpGen;

/// <summary>
/// Writes command help as MAML, the schema Get-Help reads from &lt;Assembly&gt;.dll-Help.xml: helpItems
/// holding one command:command per cmdlet with details, description, syntax, parameters, inputTypes,
/// returnValues, alertSet, examples and relatedLinks.
/// </summary>
public static class MamlWriter
{
    public static readonly XNamespace Msh = "http://msh";
    public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    public static readonly XNamespace MSHelp = "http://msdn.microsoft.com/mshelp";

    public static XDocument Write(IEnumerable<CommandHelp> commands)
    {
        var root = new XElement(Msh + "helpItems",
            new XAttribute("schema", "maml"),
            commands.Select(CommandElement));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    private static XElement CommandElement(CommandHelp help)
    {
        return new XElement(Command + "command",
            // Declared on each command, as PowerShell's own help files do, so a command reads on its own.
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MSHelp),
            new XElement(Command + "details",
                new XElement(Command + "name", help.Name),
                new XElement(Command + "verb", help.Verb),
                new XElement(Command + "noun", help.Noun),
                Description(help.Synopsis)),
            Description(help.Description),
            Syntax(help),
            new XElement(Command + "parameters", help.Parameters.Select(p => Parameter(p, binding: null))),
            new XElement(Command + "inputTypes", help.Inputs.Select(t => TypeEntry("inputType", t))),
            new XElement(Command + "returnValues", help.Outputs.Select(t => TypeEntry("returnValue", t))),
            new XElement(Maml + "alertSet",
                new XElement(Maml + "alert", Paragraphs(help.Notes))),
            new XElement(Command + "examples", help.Examples.Select(Example)),
            new XElement(Command + "relatedLinks", help.RelatedLinks.Select(Link)));
    }

    private static XElement Description(IEnumerable<string> paragraphs) =>
        new(Maml + "description", Paragraphs(paragraphs));

    private static IEnumerable<XElement> Paragraphs(IEnumerable<string> paragraphs) =>
        paragraphs.Select(p => new XElement(Maml + "para", p));

    /// <summary>One syntaxItem per set of the SYNTAX section, the default first, each with that set's parameters in PowerShell's order.</summary>
    private static XElement Syntax(CommandHelp help)
    {
        return new XElement(Command + "syntax", help.Syntax.Select(set =>
        {
            var members = help.ParametersIn(set.SetName).ToList();
            // Positional parameters by position, then mandatory named ones, then the rest, as Get-Command -Syntax does.
            var ordered = members.Where(x => x.Binding.Position is not null).OrderBy(x => x.Binding.Position)
                .Concat(members.Where(x => x.Binding.Position is null && x.Binding.IsRequired))
                .Concat(members.Where(x => x.Binding.Position is null && !x.Binding.IsRequired));
            return new XElement(Command + "syntaxItem",
                new XElement(Maml + "name", help.Name),
                ordered.Select(x => Parameter(x.Parameter, x.Binding)));
        }));
    }

    /// <summary>
    /// A parameter in a set's syntax (<paramref name="binding"/> given: that set's position and whether
    /// it is mandatory there) or in the list of parameters (null: across all its sets).
    /// </summary>
    private static XElement Parameter(ParameterHelp p, ParameterSetHelp? binding)
    {
        var required = binding?.IsRequired ?? p.Required;
        var position = binding is null ? p.Position : binding.Position;
        var element = new XElement(Command + "parameter",
            new XAttribute("required", Bool(required)),
            new XAttribute("variableLength", Bool(p.IsArray)),
            new XAttribute("globbing", Bool(p.SupportsWildcards)),
            new XAttribute("pipelineInput", PipelineText(p.Pipeline)),
            new XAttribute("position", position is int n ? n.ToString(CultureInfo.InvariantCulture) : "named"),
            new XAttribute("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases)),
            new XElement(Maml + "name", p.Name),
            Description(p.Description));
        // A switch shows as [-Name] in syntax, and as -Name [<SwitchParameter>] in the parameter list.
        if (!p.IsSwitch || binding is null)
        {
            element.Add(new XElement(Command + "parameterValue",
                new XAttribute("required", Bool(!p.IsSwitch)),
                new XAttribute("variableLength", "false"),
                p.DisplayType));
        }
        element.Add(new XElement(Dev + "type",
            new XElement(Maml + "name", p.Type),
            new XElement(Maml + "uri")));
        element.Add(new XElement(Dev + "defaultValue", p.DefaultValue.Length > 0 ? p.DefaultValue : p.IsSwitch ? "False" : "None"));
        return element;
    }

    public static string PipelineText(PipelineInput pipeline) => pipeline switch
    {
        PipelineInput.ByValue => "True (ByValue)",
        PipelineInput.ByPropertyName => "True (ByPropertyName)",
        PipelineInput.ByValueAndByPropertyName => "True (ByValue, ByPropertyName)",
        _ => "False",
    };

    private static string Bool(bool value) => value ? "true" : "false";

    private static XElement TypeEntry(string elementName, TypeHelp type) =>
        new(Command + elementName,
            new XElement(Dev + "type",
                new XElement(Maml + "name", type.TypeName),
                new XElement(Maml + "uri")),
            Description(type.Description));

    private static XElement Example(ExampleHelp example) =>
        new(Command + "example",
            new XElement(Maml + "title", $"-------------------------- Example {example.Number}: {example.Title} --------------------------"),
            new XElement(Dev + "code", example.Code),
            new XElement(Dev + "remarks", Paragraphs(example.Remarks)));

    private static XElement Link(LinkHelp link) =>
        new(Maml + "navigationLink",
            new XElement(Maml + "linkText", link.Text),
            new XElement(Maml + "uri", link.Uri ?? ""));
}
