using System.Xml;
using System.Xml.Linq;
using Hailuo.HelpGen;

namespace Hailuo.Tests.Help;

/// <summary>
/// The generator, in-process: the MAML it writes for a good help source holds what the source says,
/// in the shape Get-Help reads (element names, namespaces, the attributes of each parameter); the tool
/// writes it to the file it is given, and fails with the file and line of a broken source.
/// What Get-Help then shows is tested in a real runspace (tests/Hailuo.PowerShell.Tests/Help).
/// </summary>
public sealed class MamlTests
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    private static readonly Lazy<XElement> Thing = new(() =>
    {
        var text = HelpGenerator.Render(HelpGenerator.ToMaml([HelpMarkdown.Parse(HelpSample.Valid, HelpSample.FileName)]));
        // Parse the text, not the in-memory tree: what Get-Help reads is the file.
        var root = XDocument.Parse(text).Root!;
        Assert.Equal(Msh + "helpItems", root.Name);
        Assert.Equal("maml", (string?)root.Attribute("schema"));
        return Assert.Single(root.Elements());
    });

    private static string Paragraphs(XElement? element) =>
        string.Join("|", element?.Elements(Maml + "para").Select(p => p.Value) ?? []);

    private static XElement ListedParameter(string name) =>
        Thing.Value.Element(Command + "parameters")!.Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == name);

    [Fact]
    public void Every_element_is_in_a_MAML_namespace()
    {
        var allowed = new[] { Msh, Maml, Command, Dev };
        Assert.All(Thing.Value.DescendantsAndSelf(), e => Assert.Contains(e.Name.Namespace, allowed));
    }

    [Fact]
    public void The_command_has_the_source_s_name_synopsis_description_inputs_outputs_and_notes()
    {
        var details = Thing.Value.Element(Command + "details")!;
        Assert.Equal(("Get-Thing", "Get", "Thing"),
            (details.Element(Command + "name")!.Value, details.Element(Command + "verb")!.Value, details.Element(Command + "noun")!.Value));
        Assert.Equal("Gets a thing, for the generator's tests.", Paragraphs(details.Element(Maml + "description")));
        Assert.Equal("A paragraph that spans two lines, with code and emphasis.|- A list item that continues.", Paragraphs(Thing.Value.Element(Maml + "description")));

        var input = Assert.Single(Thing.Value.Element(Command + "inputTypes")!.Elements(Command + "inputType"));
        Assert.Equal("System.String", input.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal("Names.", Paragraphs(input.Element(Maml + "description")));
        var output = Assert.Single(Thing.Value.Element(Command + "returnValues")!.Elements(Command + "returnValue"));
        Assert.Equal("None", output.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal("A note with code.", Paragraphs(Thing.Value.Element(Maml + "alertSet")!.Element(Maml + "alert")));
    }

    [Fact]
    public void Examples_keep_their_code_as_typed_and_their_remarks()
    {
        var examples = Thing.Value.Element(Command + "examples")!.Elements(Command + "example").ToList();
        Assert.Equal(2, examples.Count);
        Assert.Equal("-------------------------- Example 1: One --------------------------", examples[0].Element(Maml + "title")!.Value);
        Assert.Equal("Get-Thing -Name a\n## a PowerShell comment, not a section", examples[0].Element(Dev + "code")!.Value);
        Assert.Equal("Gets 1.|And says more.", Paragraphs(examples[1].Element(Dev + "remarks")));
    }

    [Fact]
    public void Each_listed_parameter_carries_what_its_yaml_block_says()
    {
        var name = ListedParameter("Name");
        Assert.Equal(
            ("true", "false", "true", "True (ByValue, ByPropertyName)", "0", "n, thing_name"),
            ((string?)name.Attribute("required"), (string?)name.Attribute("variableLength"), (string?)name.Attribute("globbing"),
             (string?)name.Attribute("pipelineInput"), (string?)name.Attribute("position"), (string?)name.Attribute("aliases")));
        Assert.Equal("The name.", Paragraphs(name.Element(Maml + "description")));
        Assert.Equal("String", name.Element(Command + "parameterValue")!.Value);
        Assert.Equal("System.String", name.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal("none", name.Element(Dev + "defaultValue")!.Value);

        var id = ListedParameter("Id");
        Assert.Equal(("False", "none", "None"), ((string?)id.Attribute("pipelineInput"), (string?)id.Attribute("aliases"), id.Element(Dev + "defaultValue")!.Value));
        Assert.Equal("Int32", id.Element(Command + "parameterValue")!.Value);

        // A switch is -Force [<SwitchParameter>] in the list, and False when omitted.
        var force = ListedParameter("Force");
        Assert.Equal(("false", "named"), ((string?)force.Attribute("required"), (string?)force.Attribute("position")));
        Assert.Equal("SwitchParameter", force.Element(Command + "parameterValue")!.Value);
        Assert.Equal("false", (string?)force.Element(Command + "parameterValue")!.Attribute("required"));
        Assert.Equal("False", force.Element(Dev + "defaultValue")!.Value);
    }

    [Fact]
    public void Syntax_has_one_item_per_set_with_its_members_in_PowerShell_s_order()
    {
        var items = Thing.Value.Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();
        var members = items.Select(i => string.Join(" ", i.Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value))).ToList();
        // The default set first; a parameter of every set ((All)) in each; positional ones lead.
        Assert.Equal(new[] { "Name Force", "Id Force" }, members);
        Assert.All(items, i => Assert.Equal("Get-Thing", i.Element(Maml + "name")!.Value));
        // In syntax a switch has no value: Get-Help shows [-Force].
        Assert.Null(items[0].Elements(Command + "parameter").Last().Element(Command + "parameterValue"));
    }

    [Fact]
    public void Related_links_keep_their_text_and_address()
    {
        var links = Thing.Value.Element(Command + "relatedLinks")!.Elements(Maml + "navigationLink")
            .Select(l => (l.Element(Maml + "linkText")!.Value, l.Element(Maml + "uri")!.Value));
        Assert.Equal(new[] { ("about_Thing", ""), ("Online", "https://example.com/thing") }, links);
    }

    [Fact]
    public void The_tool_writes_the_MAML_to_the_file_the_front_matter_names()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, HelpSample.FileName), HelpSample.Valid);
        File.WriteAllText(Path.Combine(folder.Path, HelpGenerator.FormatFileName), "# The format, not a cmdlet\n");
        var target = Path.Combine(folder.Path, "en-US", "Thing.dll-Help.xml");
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = Hailuo.HelpGen.Program.Run(["--source", folder.Path, "--output", target], output, error);

        Assert.True(exit == 0, error.ToString());
        Assert.Contains("1 commands", output.ToString(), StringComparison.Ordinal);
        var written = File.ReadAllText(target);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", written, StringComparison.Ordinal);
        Assert.Equal(Thing.Value.ToString(), XDocument.Parse(written).Root!.Elements().Single().ToString());
        // Well-formed by a strict reader too, with DTDs off as PowerShell loads help.
        using var reader = XmlReader.Create(new StringReader(written), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
        while (reader.Read())
        {
        }
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(target)!, "*.tmp"));
    }

    [Fact]
    public void The_tool_fails_with_the_file_and_line_of_a_broken_source_and_leaves_no_output()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, HelpSample.FileName), HelpSample.Valid.Replace("## NOTES", "## REMARKS", StringComparison.Ordinal));
        var target = Path.Combine(folder.Path, "Thing.dll-Help.xml");
        var error = new StringWriter();

        var exit = Hailuo.HelpGen.Program.Run(["--source", folder.Path, "--output", target], TextWriter.Null, error);

        Assert.Equal(1, exit);
        Assert.Contains($"{HelpSample.FileName}({HelpSample.LineOf("## NOTES")}): error HELPGEN: Unknown section '## REMARKS'", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public void The_tool_refuses_help_written_for_another_assembly_s_MAML()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, HelpSample.FileName), HelpSample.Valid);
        var error = new StringWriter();

        var exit = Hailuo.HelpGen.Program.Run(["--source", folder.Path, "--output", Path.Combine(folder.Path, "Other.dll-Help.xml")], TextWriter.Null, error);

        Assert.Equal(1, exit);
        Assert.Contains($"{HelpSample.FileName}({HelpSample.LineOf("external help file: Thing.dll-Help.xml")}): error HELPGEN: 'external help file: Thing.dll-Help.xml', but this help is written to Other.dll-Help.xml",
            error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_tool_refuses_incomplete_arguments()
    {
        var error = new StringWriter();
        Assert.Equal(2, Hailuo.HelpGen.Program.Run(["--source", "docs/help"], TextWriter.Null, error));
        Assert.Contains("usage:", error.ToString(), StringComparison.Ordinal);
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("hailuo-helpgen-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
