using System.Text.RegularExpressions;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Help;

/// <summary>
/// Get-Help about_Hailuo once the module is imported, and what the topic says of the cmdlets, checked
/// against the cmdlets themselves. Its layout and the engine facts it states are checked in
/// tests/Hailuo.Tests/Help/AboutTopicTests.cs.
/// </summary>
[Collection(RunspaceCollection.Name)]
public sealed class AboutHailuoTests : IClassFixture<HelpSession>
{
    private readonly HelpSession _help;

    public AboutHailuoTests(HelpSession help) => _help = help;

    private string Topic() =>
        string.Concat(_help.Session.Run("Get-Help -Name about_Hailuo -ErrorAction Stop | Out-String -Width 120").AssertNoErrors().Output.Select(o => o.ToString()));

    /// <summary>A section of the topic: from its upper-case heading line to the next.</summary>
    private static string Section(string topic, string heading)
    {
        var match = Regex.Match(topic.ReplaceLineEndings("\n"), $@"(?ms)^{Regex.Escape(heading)}\n(.*?)(?=^\S|\z)");
        Assert.True(match.Success, $"about_Hailuo has no {heading} section.");
        return match.Groups[1].Value;
    }

    [Fact]
    public void Get_Help_finds_the_topic()
    {
        var topic = Topic();
        Assert.Contains("about_Hailuo", topic, StringComparison.Ordinal);
        Assert.Contains("SHORT DESCRIPTION", topic, StringComparison.Ordinal);
        Assert.Contains("TROUBLESHOOTING", topic, StringComparison.Ordinal);
    }

    [Fact]
    public void See_also_names_every_cmdlet_the_module_exports()
    {
        var seeAlso = Section(Topic(), "SEE ALSO").Split('\n').Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);
        Assert.All(_help.Cmdlets, cmdlet => Assert.Contains(cmdlet, seeAlso));
    }

    [Fact]
    public void The_CSV_section_names_every_column_alias_of_New_HailuoVideo()
    {
        var aliases = _help.Session.Run("(Get-Command New-HailuoVideo).Parameters.Values | Where-Object { $_.ParameterSets.Values.ValueFromPipelineByPropertyName -contains $true } | ForEach-Object { $_.Aliases }")
            .AssertNoErrors().Output.Select(o => o.ToString()).ToList();
        Assert.NotEmpty(aliases);
        var csv = Section(Topic(), "THE CSV PIPELINE");
        Assert.All(aliases, alias => Assert.Matches($@"(?m)^\s+(\w+, )*{Regex.Escape(alias)}\b", csv));
    }
}
