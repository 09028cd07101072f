using System.Xml;
using System.Xml.Linq;
using Hailuo.HelpGen;

namespace Hailuo.Tests.Help;

/// <summary>
/// The generator, run in-process over docs/help: its output is well-formed MAML in the shape Get-Help
/// reads (element names, namespaces and the attributes on each parameter), one command per cmdlet.
/// </summary>
public sealed class MamlTests
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    private static readonly string[] PipelineValues = { "False", "True (ByValue)", "True (ByPropertyName)", "True (ByValue, ByPropertyName)" };

    private static readonly Lazy<XDocument> Generated = new(() =>
    {
        var text = HelpGenerator.Render(HelpGenerator.ToMaml(HelpGenerator.LoadDirectory(HelpSourceTests.HelpDirectory)));
        // Parse the text, not the in-memory tree: what Get-Help reads is the file.
        return XDocument.Parse(text, LoadOptions.SetLineInfo);
    });

    private static XElement CommandOf(string cmdlet) =>
        Generated.Value.Root!.Elements(Command + "command")
            .Single(c => (string?)c.Element(Command + "details")?.Element(Command + "name") == cmdlet);

    private static string Text(XElement? element) => string.Concat(element?.Elements(Maml + "para").Select(p => p.Value) ?? []).Trim();

    [Fact]
    public void The_root_is_a_MAML_helpItems_with_one_command_per_cmdlet()
    {
        var root = Generated.Value.Root!;
        Assert.Equal(Msh + "helpItems", root.Name);
        Assert.Equal("maml", (string?)root.Attribute("schema"));
        var names = root.Elements(Command + "command").Select(c => (string?)c.Element(Command + "details")?.Element(Command + "name")).ToList();
        Assert.Equal(CmdletContract.Cmdlets.Keys.OrderBy(n => n), names.OrderBy(n => n));
        Assert.Equal(root.Elements().Count(), names.Count);
    }

    [Fact]
    public void Every_element_is_in_a_MAML_namespace()
    {
        var allowed = new[] { Msh, Maml, Command, Dev };
        Assert.All(Generated.Value.Descendants(), e => Assert.Contains(e.Name.Namespace, allowed));
    }

    [Theory]
    [MemberData(nameof(HelpSourceTests.Cmdlets), MemberType = typeof(HelpSourceTests))]
    public void Each_command_has_details_description_inputs_outputs_notes_and_examples(string cmdlet)
    {
        var command = CommandOf(cmdlet);
        var details = command.Element(Command + "details")!;
        var dash = cmdlet.IndexOf('-');
        Assert.Equal(cmdlet[..dash], (string?)details.Element(Command + "verb"));
        Assert.Equal(cmdlet[(dash + 1)..], (string?)details.Element(Command + "noun"));
        Assert.NotEmpty(Text(details.Element(Maml + "description")));
        Assert.NotEmpty(Text(command.Element(Maml + "description")));

        var inputs = command.Element(Command + "inputTypes")!.Elements(Command + "inputType").ToList();
        Assert.NotEmpty(inputs);
        Assert.All(inputs, i => Assert.NotEmpty(i.Element(Dev + "type")!.Element(Maml + "name")!.Value));
        var outputs = command.Element(Command + "returnValues")!.Elements(Command + "returnValue").ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.NotEmpty(o.Element(Dev + "type")!.Element(Maml + "name")!.Value));
        Assert.NotEmpty(Text(command.Element(Maml + "alertSet")!.Element(Maml + "alert")));

        var examples = command.Element(Command + "examples")!.Elements(Command + "example").ToList();
        Assert.True(examples.Count >= 2);
        Assert.All(examples, e =>
        {
            Assert.StartsWith("-------------------------- Example ", e.Element(Maml + "title")!.Value, StringComparison.Ordinal);
            Assert.Contains(cmdlet, e.Element(Dev + "code")!.Value, StringComparison.Ordinal);
            Assert.NotEmpty(Text(e.Element(Dev + "remarks")));
        });
    }

    [Theory]
    [MemberData(nameof(HelpSourceTests.Cmdlets), MemberType = typeof(HelpSourceTests))]
    public void Each_parameter_carries_the_attributes_Get_Help_reads(string cmdlet)
    {
        var command = CommandOf(cmdlet);
        var parameters = command.Element(Command + "parameters")!.Elements(Command + "parameter").ToList();
        var syntaxParameters = command.Element(Command + "syntax")!.Elements(Command + "syntaxItem").SelectMany(s => s.Elements(Command + "parameter"));
        Assert.Equal(CmdletContract.Cmdlets[cmdlet].Select(p => p.Name).OrderBy(n => n), parameters.Select(p => p.Element(Maml + "name")!.Value).OrderBy(n => n));
        Assert.All(parameters.Concat(syntaxParameters), p =>
        {
            Assert.Contains((string?)p.Attribute("required"), new[] { "true", "false" });
            Assert.Contains((string?)p.Attribute("globbing"), new[] { "true", "false" });
            Assert.Contains((string?)p.Attribute("variableLength"), new[] { "true", "false" });
            Assert.Contains((string?)p.Attribute("pipelineInput"), PipelineValues);
            Assert.Matches("^(named|[0-9]+)$", (string?)p.Attribute("position"));
            Assert.NotNull(p.Attribute("aliases"));
            Assert.NotEmpty(p.Element(Maml + "name")!.Value);
            Assert.NotEmpty(Text(p.Element(Maml + "description")));
            Assert.NotEmpty(p.Element(Dev + "type")!.Element(Maml + "name")!.Value);
            Assert.NotNull(p.Element(Dev + "defaultValue"));
        });
    }

    [Theory]
    [MemberData(nameof(HelpSourceTests.Cmdlets), MemberType = typeof(HelpSourceTests))]
    public void Syntax_has_one_item_per_parameter_set_and_each_names_the_cmdlet(string cmdlet)
    {
        var help = HelpMarkdown.ParseFile(HelpSourceTests.HelpFile(cmdlet));
        var items = CommandOf(cmdlet).Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();
        Assert.Equal(Math.Max(1, help.ParameterSets.Count), items.Count);
        Assert.All(items, i => Assert.Equal(cmdlet, i.Element(Maml + "name")!.Value));
    }

    [Fact]
    public void New_HailuoVideo_binds_as_the_contract_says()
    {
        var command = CommandOf("New-HailuoVideo");
        var prompt = command.Element(Command + "parameters")!.Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == "Prompt");
        Assert.Equal("0", (string?)prompt.Attribute("position"));
        Assert.Equal("True (ByPropertyName)", (string?)prompt.Attribute("pipelineInput"));
        Assert.Equal("prompt", (string?)prompt.Attribute("aliases"));
        Assert.Equal("false", (string?)prompt.Attribute("required"));
        Assert.Equal("String", prompt.Element(Command + "parameterValue")!.Value);
        Assert.Equal("System.String", prompt.Element(Dev + "type")!.Element(Maml + "name")!.Value);

        // Submit (the default) first, without -Wait; then Wait, where -Wait is mandatory.
        var items = command.Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();
        Assert.DoesNotContain(items[0].Elements(Command + "parameter"), p => p.Element(Maml + "name")!.Value is "Wait" or "Path" or "FileNameTemplate");
        var wait = items[1].Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == "Wait");
        Assert.Equal("true", (string?)wait.Attribute("required"));
        // Positional parameters lead the syntax, as Get-Command -Syntax shows them.
        Assert.Equal("Prompt", items[0].Elements(Command + "parameter").First().Element(Maml + "name")!.Value);
    }

    [Fact]
    public void Switches_show_without_a_value_in_syntax_and_as_SwitchParameter_in_the_list()
    {
        var command = CommandOf("New-HailuoVideo");
        var inSyntax = command.Element(Command + "syntax")!.Descendants(Command + "parameter").First(p => p.Element(Maml + "name")!.Value == "Force");
        Assert.Null(inSyntax.Element(Command + "parameterValue"));
        var inList = command.Element(Command + "parameters")!.Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == "Force");
        Assert.Equal("SwitchParameter", inList.Element(Command + "parameterValue")!.Value);
        Assert.Equal("false", (string?)inList.Element(Command + "parameterValue")!.Attribute("required"));
        Assert.Equal("False", inList.Element(Dev + "defaultValue")!.Value);
    }

    [Fact]
    public void Get_HailuoJob_takes_ids_by_value_and_by_property_name()
    {
        var id = CommandOf("Get-HailuoJob").Element(Command + "parameters")!.Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == "Id");
        Assert.Equal("True (ByValue, ByPropertyName)", (string?)id.Attribute("pipelineInput"));
        Assert.Equal("JobId, job_id, task_id", (string?)id.Attribute("aliases"));
        Assert.Equal("true", (string?)id.Attribute("variableLength"));
        Assert.Equal("String[]", id.Element(Command + "parameterValue")!.Value);
    }

    [Fact]
    public void The_tool_writes_the_same_MAML_to_the_file_it_is_given()
    {
        var folder = Directory.CreateTempSubdirectory("hailuo-helpgen-");
        try
        {
            var target = Path.Combine(folder.FullName, "en-US", "Hailuo.PowerShell.dll-Help.xml");
            var output = new StringWriter();
            var error = new StringWriter();
            var exit = Hailuo.HelpGen.Program.Run(["--source", HelpSourceTests.HelpDirectory, "--output", target], output, error);
            Assert.True(exit == 0, error.ToString());
            Assert.Contains($"{CmdletContract.Cmdlets.Count} commands", output.ToString(), StringComparison.Ordinal);
            var written = File.ReadAllText(target);
            Assert.Equal(HelpGenerator.Render(Generated.Value), written);
            Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", written, StringComparison.Ordinal);
            // Well-formed by a strict reader too, with DTDs off as PowerShell loads help.
            using var reader = XmlReader.Create(new StringReader(written), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
            while (reader.Read())
            {
            }
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(target)!, "*.tmp"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_tool_fails_with_the_file_and_line_of_a_broken_source_and_leaves_no_output()
    {
        var folder = Directory.CreateTempSubdirectory("hailuo-helpgen-");
        try
        {
            var source = File.ReadAllText(HelpSourceTests.HelpFile("Disconnect-Hailuo")).Replace("## NOTES", "## REMARKS", StringComparison.Ordinal);
            var broken = Path.Combine(folder.FullName, "Disconnect-Hailuo.md");
            File.WriteAllText(broken, source);
            var target = Path.Combine(folder.FullName, "out.xml");
            var error = new StringWriter();
            var exit = Hailuo.HelpGen.Program.Run(["--source", folder.FullName, "--output", target], TextWriter.Null, error);
            Assert.Equal(1, exit);
            Assert.Matches(@"Disconnect-Hailuo\.md\(\d+\): error HELPGEN: Unknown section '## REMARKS'", error.ToString());
            Assert.False(File.Exists(target));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_tool_refuses_incomplete_arguments()
    {
        var error = new StringWriter();
        Assert.Equal(2, Hailuo.HelpGen.Program.Run(["--source", HelpSourceTests.HelpDirectory], TextWriter.Null, error));
        Assert.Contains("usage:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_generated_file_is_build_output_and_the_about_topic_is_source()
    {
        var ignore = File.ReadAllLines(RepoPaths.Combine(".gitignore")).Select(l => l.Trim()).ToList();
        Assert.Contains("module/en-US/*.dll-Help.xml", ignore);
        // A bare "en-US/" would also hide module/en-US/about_Hailuo.help.txt, the topic's source.
        Assert.DoesNotContain("en-US/", ignore);
        Assert.Contains("/en-US/", ignore);
        Assert.True(File.Exists(RepoPaths.Combine("module", "en-US", "about_Hailuo.help.txt")));
    }

    [Fact]
    public void The_build_generates_the_help_after_the_layout_and_puts_it_where_Get_Help_looks()
    {
        var targets = XDocument.Load(RepoPaths.Combine("src", "Hailuo.PowerShell", "Module.targets"));
        var byName = targets.Root!.Elements("Target").ToDictionary(t => (string)t.Attribute("Name")!);
        Assert.Equal("CopyToModuleLayout", (string?)byName["GenerateModuleHelp"].Attribute("AfterTargets"));
        Assert.Contains("Publish", (string?)byName["CopyToModuleLayout"].Attribute("AfterTargets"));
        Assert.Contains("GenerateModuleHelp", (string?)byName["PackageModule"].Attribute("DependsOnTargets"));
        // Get-Help reads a binary cmdlet's MAML only from <ModuleBase>/<culture>, and ModuleBase is the
        // manifest's folder: the MAML must be copied there, and into the package's en-US too.
        var copy = byName["CopyHelpToManifestFolder"];
        Assert.Equal("GenerateModuleHelp", (string?)copy.Attribute("AfterTargets"));
        Assert.Contains("$(ModuleMamlFile)", (string?)copy.Element("Copy")!.Attribute("SourceFiles"));
        Assert.Contains(byName["PackageModule"].Elements("Copy"), c =>
            ((string?)c.Attribute("SourceFiles"))!.Contains("$(ModuleMamlFile)", StringComparison.Ordinal)
            && ((string?)c.Attribute("DestinationFolder"))!.Contains("$(HelpCulture)", StringComparison.Ordinal));
        Assert.Contains("HelpGen", targets.ToString(), StringComparison.Ordinal);
        var reference = targets.Descendants("ProjectReference").Single();
        Assert.Equal("false", (string?)reference.Attribute("ReferenceOutputAssembly"));
    }
}
