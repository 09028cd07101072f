using System.Collections;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Help;

/// <summary>
/// What Get-Help shows for every cmdlet the module exports, in a runspace that imported ./out/Hailuo:
/// the help written in docs/help (so the MAML the build generated was found and read, not help made
/// up from metadata), every parameter with its description and its binding as the cmdlet declares it,
/// and at least two examples.
/// </summary>
[Collection(RunspaceCollection.Name)]
public sealed class GetHelpTests : IClassFixture<HelpSession>
{
    // One object per cmdlet: what Get-Help -Full says, next to what Get-Command says.
    private const string Survey = """
        param($Name)
        $help = Get-Help -Name $Name -Full
        $command = Get-Command -Name $Name -Module Hailuo
        $skip = @([System.Management.Automation.Cmdlet]::CommonParameters) + @([System.Management.Automation.Cmdlet]::OptionalCommonParameters)
        @{
            Synopsis = [string] $help.Synopsis
            Description = (@($help.description | ForEach-Object { $_.Text }) -join "`n").Trim()
            Documented = @(foreach ($parameter in @($help.parameters.parameter | Where-Object { $null -ne $_ })) {
                @{
                    Name = [string] $parameter.name
                    Description = (@($parameter.description | ForEach-Object { $_.Text }) -join "`n").Trim()
                    Required = [string] $parameter.required
                    PipelineInput = [string] $parameter.pipelineInput
                    Aliases = [string] $parameter.aliases
                }
            })
            Declared = @(foreach ($parameter in $command.Parameters.Values | Where-Object { $skip -notcontains $_.Name }) {
                $sets = @($parameter.ParameterSets.Values)
                $byValue = @($sets | Where-Object { $_.ValueFromPipeline }).Count -gt 0
                $byName = @($sets | Where-Object { $_.ValueFromPipelineByPropertyName }).Count -gt 0
                @{
                    Name = $parameter.Name
                    Required = "$(@($sets | Where-Object { $_.IsMandatory }).Count -gt 0)".ToLowerInvariant()
                    PipelineInput = $(if ($byValue -and $byName) { 'True (ByValue, ByPropertyName)' } elseif ($byValue) { 'True (ByValue)' } elseif ($byName) { 'True (ByPropertyName)' } else { 'False' })
                    Aliases = $(if ($parameter.Aliases.Count -eq 0) { 'none' } else { $parameter.Aliases -join ', ' })
                }
            })
            Examples = @(foreach ($example in @($help.examples.example)) {
                @{ Code = [string] $example.code; Remarks = (@($example.remarks | ForEach-Object { $_.Text }) -join "`n").Trim() }
            })
            Text = [string] (Get-Help -Name $Name -Full | Out-String -Width 250)
        }
        """;

    private readonly HelpSession _help;

    public GetHelpTests(HelpSession help) => _help = help;

    private Hashtable SurveyOf(string cmdlet) =>
        (Hashtable)_help.Session.Run(Survey, new { Name = cmdlet }).AssertNoErrors().Output.Single().BaseObject;

    private static IEnumerable<Hashtable> List(Hashtable survey, string key) =>
        HelpSession.Items(survey[key]).Select(o => (Hashtable)System.Management.Automation.PSObject.AsPSObject(o).BaseObject);

    /// <summary>The first paragraph of a section of the cmdlet's docs/help file, as the generator writes it.</summary>
    private static string SourceParagraph(string cmdlet, string section)
    {
        var lines = File.ReadAllLines(RepoPaths.Combine("docs", "help", cmdlet + ".md"));
        var start = Array.IndexOf(lines, "## " + section);
        Assert.True(start >= 0, $"docs/help/{cmdlet}.md has no '## {section}'.");
        return string.Join(" ", lines.Skip(start + 1).SkipWhile(l => l.Trim().Length == 0).TakeWhile(l => l.Trim().Length > 0).Select(l => l.Trim()));
    }

    [Fact]
    public void The_module_exports_the_cmdlets_of_the_main_line()
    {
        // Guards the loops below: an empty list would pass them all.
        Assert.Superset(new HashSet<string> { "Connect-Hailuo", "New-HailuoVideo", "Wait-HailuoJob", "Save-HailuoVideo" }, _help.Cmdlets.ToHashSet());
    }

    [Fact]
    public void Every_cmdlet_has_the_synopsis_and_description_written_in_docs_help()
    {
        Assert.All(_help.Cmdlets, cmdlet =>
        {
            var survey = SurveyOf(cmdlet);
            Assert.Equal(SourceParagraph(cmdlet, "SYNOPSIS"), ((string)survey["Synopsis"]!).Trim());
            var description = (string)survey["Description"]!;
            Assert.StartsWith(SourceParagraph(cmdlet, "DESCRIPTION"), description.Replace("\n", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Every_parameter_is_documented_with_a_description_and_the_binding_the_cmdlet_declares()
    {
        Assert.All(_help.Cmdlets, cmdlet =>
        {
            var survey = SurveyOf(cmdlet);
            var documented = List(survey, "Documented").ToDictionary(p => (string)p["Name"]!, StringComparer.Ordinal);
            foreach (var declared in List(survey, "Declared"))
            {
                var name = (string)declared["Name"]!;
                Assert.True(documented.TryGetValue(name, out var help), $"Get-Help {cmdlet} does not document -{name}: run tools/Update-CmdletDocs.ps1 and describe it in docs/help/{cmdlet}.md.");
                Assert.False(string.IsNullOrWhiteSpace((string)help!["Description"]!), $"-{name} of {cmdlet} has no description.");
                foreach (var fact in new[] { "Required", "PipelineInput", "Aliases" })
                {
                    Assert.True(Equals(declared[fact], help[fact]), $"Get-Help {cmdlet} says -{name} has {fact} '{help[fact]}'; the cmdlet declares '{declared[fact]}'.");
                }
            }
            var declaredNames = List(survey, "Declared").Select(p => (string)p["Name"]!).ToHashSet(StringComparer.Ordinal);
            Assert.All(documented.Keys, name => Assert.True(declaredNames.Contains(name), $"Get-Help {cmdlet} documents -{name}, which the cmdlet does not have."));
        });
    }

    [Fact]
    public void Every_cmdlet_has_at_least_two_examples_that_use_it_and_say_what_they_do()
    {
        Assert.All(_help.Cmdlets, cmdlet =>
        {
            var examples = List(SurveyOf(cmdlet), "Examples").ToList();
            Assert.True(examples.Count >= 2, $"Get-Help {cmdlet} shows {examples.Count} example(s).");
            Assert.All(examples, e =>
            {
                Assert.Contains(cmdlet, (string)e["Code"]!, StringComparison.Ordinal);
                Assert.False(string.IsNullOrWhiteSpace((string)e["Remarks"]!));
            });
        });
    }

    [Fact]
    public void Get_Help_Full_prints_every_section_as_the_console_shows_it()
    {
        Assert.All(_help.Cmdlets, cmdlet =>
        {
            var survey = SurveyOf(cmdlet);
            var text = (string)survey["Text"]!;
            foreach (var heading in new[] { "NAME", "SYNOPSIS", "SYNTAX", "DESCRIPTION", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS" })
            {
                Assert.Contains("\n" + heading, text, StringComparison.Ordinal);
            }
            Assert.Contains(((string)survey["Synopsis"]!).Trim(), text, StringComparison.Ordinal);
            Assert.All(List(survey, "Declared"), p => Assert.Contains("-" + p["Name"], text, StringComparison.Ordinal));
            Assert.Contains("Example 2:", text, StringComparison.Ordinal);
            Assert.Contains("<CommonParameters>", text, StringComparison.Ordinal);
        });
    }
}
