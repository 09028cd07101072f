using Hailuo.HelpGen;

namespace Hailuo.Tests.Help;

/// <summary>
/// docs/help against docs/cmdlets.md: every cmdlet has a help file, every parameter is documented with
/// the contract's binding facts, and every file has the synopsis, description and examples Get-Help shows.
/// These read the sources, not the compiled cmdlets, which are written elsewhere.
/// </summary>
public sealed class HelpSourceTests
{
    public const string CsvPipeline = "Import-Csv prompts.csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path ./videos";

    public static readonly string[] EightCmdlets =
    {
        "New-HailuoVideo", "Get-HailuoJob", "Wait-HailuoJob", "Stop-HailuoJob", "Save-HailuoVideo",
        "Connect-Hailuo", "Disconnect-Hailuo", "Get-HailuoConnection",
    };

    public static TheoryData<string> Cmdlets => new(CmdletContract.Cmdlets.Keys);

    public static TheoryData<string, string> Parameters
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var (cmdlet, parameters) in CmdletContract.Cmdlets)
            {
                foreach (var parameter in parameters)
                {
                    data.Add(cmdlet, parameter.Name);
                }
            }
            return data;
        }
    }

    internal static string HelpDirectory => RepoPaths.Combine("docs", "help");

    internal static string HelpFile(string cmdlet) => Path.Combine(HelpDirectory, cmdlet + ".md");

    private static CommandHelp Load(string cmdlet)
    {
        var path = HelpFile(cmdlet);
        Assert.True(File.Exists(path), $"{cmdlet} has no help source: create docs/help/{cmdlet}.md (see docs/help/README.md).");
        return HelpMarkdown.ParseFile(path);
    }

    [Fact]
    public void The_contract_lists_the_eight_cmdlets_and_their_parameters()
    {
        // Guards the reader of docs/cmdlets.md itself: a reader that found nothing would pass every theory below.
        Assert.Equal(EightCmdlets.OrderBy(n => n), CmdletContract.Cmdlets.Keys.OrderBy(n => n));
        Assert.Equal(15, CmdletContract.Cmdlets["New-HailuoVideo"].Count);
        Assert.Equal(new[] { "Id", "Provider", "Status", "Since", "First", "Tag" }, CmdletContract.Cmdlets["Get-HailuoJob"].Select(p => p.Name));
        Assert.Equal(new[] { "Job", "Id", "Provider", "PassThru" }, CmdletContract.Cmdlets["Stop-HailuoJob"].Select(p => p.Name));
        Assert.Equal(new[] { "Job", "Id", "Provider", "Path", "FileNameTemplate", "Force", "ThrottleLimit", "NoProgress" },
            CmdletContract.Cmdlets["Save-HailuoVideo"].Select(p => p.Name));
        Assert.Equal(9, CmdletContract.Cmdlets["Connect-Hailuo"].Count);
        Assert.Empty(CmdletContract.Cmdlets["Disconnect-Hailuo"]);
        Assert.Empty(CmdletContract.Cmdlets["Get-HailuoConnection"]);
        var id = CmdletContract.Cmdlets["Get-HailuoJob"].Single(p => p.Name == "Id");
        Assert.True(id.Mandatory && id.ByValue && id.ByPropertyName && id.Position == 0);
        Assert.Equal(new[] { "JobId", "job_id", "task_id" }.ToHashSet(), id.Aliases);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Every_cmdlet_has_a_help_file_named_after_it(string cmdlet)
    {
        var help = Load(cmdlet);
        Assert.Equal(cmdlet, help.Name);
    }

    [Fact]
    public void Every_help_file_belongs_to_a_cmdlet_of_the_contract()
    {
        var files = Directory.GetFiles(HelpDirectory, "*.md")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => n != "README");
        Assert.All(files, f => Assert.Contains(f!, CmdletContract.Cmdlets.Keys));
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Every_help_file_has_a_synopsis_a_description_and_two_examples_with_remarks(string cmdlet)
    {
        var help = Load(cmdlet);
        Assert.Single(help.Synopsis);
        Assert.True(help.Synopsis[0].Length >= 20, $"{cmdlet}'s synopsis is too thin: '{help.Synopsis[0]}'.");
        Assert.NotEmpty(help.Description);
        Assert.True(help.Examples.Count >= 2, $"{cmdlet} has {help.Examples.Count} example(s); give at least two.");
        Assert.All(help.Examples, e =>
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Code));
            Assert.Contains(cmdlet, e.Code, StringComparison.Ordinal);
            Assert.NotEmpty(e.Remarks);
        });
        Assert.NotEmpty(help.Inputs);
        Assert.NotEmpty(help.Outputs);
        Assert.NotEmpty(help.Notes);
    }

    [Theory]
    [MemberData(nameof(Parameters))]
    public void Every_parameter_of_the_contract_is_documented_with_its_binding(string cmdlet, string name)
    {
        var contract = CmdletContract.Cmdlets[cmdlet].Single(p => p.Name == name);
        var help = Load(cmdlet);
        var documented = help.FindParameter(name);
        Assert.True(documented is not null, $"docs/help/{cmdlet}.md does not document -{name}.");
        Assert.Equal(name, documented!.Name);
        Assert.NotEmpty(documented.Description);
        Assert.Equal(contract.ExpectedDotNetType, documented.Type);
        Assert.True(contract.Mandatory == documented.Required, $"-{name}: the contract says mandatory={contract.Mandatory}, the help says Required: {documented.Required}.");
        Assert.True(contract.Position == documented.Position, $"-{name}: the contract says position {contract.Position?.ToString() ?? "named"}, the help says {documented.Position?.ToString() ?? "named"}.");
        Assert.True(contract.ByValue == (documented.Pipeline is PipelineInput.ByValue or PipelineInput.ByValueAndByPropertyName),
            $"-{name}: by-value pipeline input differs from the contract.");
        Assert.True(contract.ByPropertyName == (documented.Pipeline is PipelineInput.ByPropertyName or PipelineInput.ByValueAndByPropertyName),
            $"-{name}: by-property-name pipeline input differs from the contract.");
        Assert.Equal(contract.Aliases.OrderBy(a => a, StringComparer.Ordinal), documented.Aliases.OrderBy(a => a, StringComparer.Ordinal));

        // A parameter the contract puts in no particular set is in all of them, and vice versa.
        var all = help.ParameterSets;
        var contractSets = contract.Sets.Count == 0 ? all : contract.Sets.ToList();
        var helpSets = documented.Sets.Count == 0 ? all : documented.Sets;
        Assert.Equal(contractSets.OrderBy(s => s), helpSets.OrderBy(s => s));
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void No_help_file_documents_a_parameter_the_contract_lacks(string cmdlet)
    {
        var contract = CmdletContract.Cmdlets[cmdlet].Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(Load(cmdlet).Parameters, p => Assert.True(contract.Contains(p.Name), $"docs/help/{cmdlet}.md documents -{p.Name}, which docs/cmdlets.md does not list."));
    }

    [Theory]
    [InlineData("New-HailuoVideo")]
    [InlineData("Wait-HailuoJob")]
    [InlineData("Save-HailuoVideo")]
    public void The_CSV_pipeline_is_an_example_of_the_cmdlets_it_strings_together(string cmdlet)
    {
        var help = Load(cmdlet);
        Assert.Contains(help.Examples, e => e.Code.Split('\n').Any(line => line.Trim() == CsvPipeline));
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Related_links_name_cmdlets_of_the_module_or_about_Hailuo(string cmdlet)
    {
        var known = CmdletContract.Cmdlets.Keys.Append("about_Hailuo").ToHashSet(StringComparer.Ordinal);
        Assert.All(Load(cmdlet).RelatedLinks.Where(l => l.Uri is null), l => Assert.Contains(l.Text, known));
    }

    [Fact]
    public void Default_parameter_sets_match_the_contract()
    {
        // The contract names the default set in each [Cmdlet(...)] attribute.
        var contract = File.ReadAllText(CmdletContract.Path);
        var defaults = new Dictionary<string, string>
        {
            ["New-HailuoVideo"] = "Submit",
            ["Get-HailuoJob"] = "List",
            ["Wait-HailuoJob"] = "Job",
            ["Stop-HailuoJob"] = "Job",
            ["Save-HailuoVideo"] = "Job",
            ["Connect-Hailuo"] = "Environment",
        };
        foreach (var (cmdlet, set) in defaults)
        {
            var dash = cmdlet.IndexOf('-');
            var attribute = $"\\.{cmdlet[..dash]}, \"{cmdlet[(dash + 1)..]}\"[^\\]]*DefaultParameterSetName = \"{set}\"";
            Assert.Matches(attribute, contract);
            Assert.Equal(set, Load(cmdlet).ParameterSets[0]);
        }
        Assert.Empty(Load("Disconnect-Hailuo").ParameterSets);
        Assert.Empty(Load("Get-HailuoConnection").ParameterSets);
    }
}
