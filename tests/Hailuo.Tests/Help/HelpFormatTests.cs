using Hailuo.HelpGen;

namespace Hailuo.Tests.Help;

/// <summary>The help source is read strictly: a good file reads completely, and each slip fails with its file and line.</summary>
public sealed class HelpFormatTests
{
    private static CommandHelp Parse(string text) => HelpMarkdown.Parse(text, HelpSample.FileName);

    private static HelpFormatException Fails(string text, string message)
    {
        var e = Assert.Throws<HelpFormatException>(() => Parse(text));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Equal(HelpSample.FileName, e.SourcePath);
        return e;
    }

    private static string Replace(string find, string replace, string? after = null)
    {
        var start = after is null ? 0 : HelpSample.Valid.IndexOf(after, StringComparison.Ordinal);
        var at = HelpSample.Valid.IndexOf(find, start, StringComparison.Ordinal);
        Assert.True(at >= 0, $"The sample has no '{find}'.");
        return HelpSample.Valid[..at] + replace + HelpSample.Valid[(at + find.Length)..];
    }

    [Fact]
    public void A_valid_source_reads_completely()
    {
        var help = Parse(HelpSample.Valid);
        Assert.Equal(("Get", "Thing", "Thing.dll-Help.xml"), (help.Verb, help.Noun, help.ExternalHelpFile));
        Assert.Equal("Gets a thing, for the generator's tests.", Assert.Single(help.Synopsis));
        Assert.Equal(new[] { "ByName", "ById" }, help.Syntax.Select(s => s.SetName));
        Assert.True(help.Syntax[0].IsDefault);
        Assert.Equal("Get-Thing [-Id] <int> [-Force] [<CommonParameters>]", help.Syntax[1].Code);
        Assert.Equal(new[] { "A paragraph that spans two lines, with code and emphasis.", "- A list item that continues." }, help.Description);

        var name = help.Parameters[0];
        Assert.Equal(("Name", "System.String", true, (int?)0, PipelineInput.ByValueAndByPropertyName, true),
            (name.Name, name.Type, name.Required, name.Position, name.Pipeline, name.SupportsWildcards));
        Assert.Equal(new[] { "n", "thing_name" }, name.Aliases);
        Assert.Equal("ByName", Assert.Single(name.Sets).Name);
        Assert.Equal("none", name.DefaultValue);
        Assert.Equal("The name.", Assert.Single(name.Description));
        Assert.Equal("Int32", help.Parameters[1].DisplayType);
        var force = help.Parameters[2];
        Assert.True(force.IsSwitch);
        Assert.True(Assert.Single(force.Sets).IsAll);
        Assert.Null(force.Position);
        Assert.Same(force.Sets[0], force.InSet("ById"));
        Assert.Null(name.InSet("ById"));

        Assert.Equal("A note with code.", Assert.Single(help.Notes));
        Assert.Equal("System.String", Assert.Single(help.Inputs).TypeName);
        Assert.Empty(Assert.Single(help.Outputs).Description);
        Assert.Equal(2, help.Examples.Count);
        Assert.Equal("Get-Thing -Name a\n## a PowerShell comment, not a section", help.Examples[0].Code);
        Assert.Equal(new[] { "Gets 1.", "And says more." }, help.Examples[1].Remarks);
        Assert.Equal(("about_Thing", (string?)null), (help.RelatedLinks[0].Text, help.RelatedLinks[0].Uri));
        Assert.Equal(("Online", "https://example.com/thing"), (help.RelatedLinks[1].Text, help.RelatedLinks[1].Uri));
    }

    [Theory]
    // The front matter, read by YamlDotNet.
    [InlineData("document type: cmdlet", "document type: module", "document type: module", "'document type:' is 'module'; it must be 'cmdlet'")]
    [InlineData("PlatyPS schema version: 2024-05-01", "PlatyPS schema version: 2.0.0", "PlatyPS schema version: 2.0.0", "it must be '2024-05-01'")]
    [InlineData("title: Get-Thing", "title: Get-Other", "title: Get-Other", "it must be 'Get-Thing'")]
    [InlineData("Locale: en-US", "Locale: en: US", "Locale: en: US", "not valid YAML")]
    // Sections.
    [InlineData("## NOTES", "## REMARKS", "## REMARKS", "Unknown section '## REMARKS'")]
    [InlineData("## SYNOPSIS\n\nGets a thing, for the generator's tests.", "Gets a thing.\n\n## SYNOPSIS\n\nGets a thing, for the generator's tests.", "Gets a thing.", "Text before the first section")]
    [InlineData("Gets a thing, for the generator's tests.", "Gets a thing.\n\nAnd a second paragraph.", "## SYNOPSIS", "SYNOPSIS is one paragraph")]
    [InlineData("## INPUTS", "## OUTPUTS\n\n### None\n\n## INPUTS", "## INPUTS", "is out of order")]
    // SYNTAX.
    [InlineData("### ByName (Default)", "### ByName", "## SYNTAX", "Mark exactly one parameter set '(Default)'")]
    [InlineData("Get-Thing [-Id] <int>", "Get-Other [-Id] <int>", "```", "starts with the cmdlet's name, Get-Thing")]
    // Examples.
    [InlineData("### Example 2: Two", "### Example 3: Two", "### Example 3: Two", "expected Example 2")]
    [InlineData("Gets 1.\n\nAnd says more.", "", "### Example 2: Two", "Say what the example does")]
    [InlineData("Gets a.", "Gets a.\n\n```powershell\nGet-Thing\n```", "```powershell", "One code block per example")]
    // Parameters and their yaml blocks, read by YamlDotNet.
    [InlineData("The name.", "", "### -Name", "-Name has no description")]
    [InlineData("The name.", "{{ Fill in the description of -Name }}", "{{ Fill in the description of -Name }}", "is a placeholder from tools/Update-CmdletDocs.ps1")]
    [InlineData("Forces it.", "Forces it.\n\n> A quote.", "> A quote.", "this quote cannot be carried into MAML")]
    [InlineData("SupportsWildcards: true", "SupportsWildcards: true\nColor: red", "Color: red", "The yaml block of -Name: Property 'Color' not found")]
    [InlineData("SupportsWildcards: true", "SupportsWildcards: sometimes", "SupportsWildcards: sometimes", "The yaml block of -Name")]
    [InlineData("HelpMessage: ''\n```\n\n### -Id", "```\n\n### -Id", "```yaml", "lacks HelpMessage:")]
    [InlineData("- Name: ById", "- Name: ByOther", "## PARAMETERS", "names the set ByOther, which '## SYNTAX' does not list")]
    [InlineData("- Name: ById", "- Name: ByName", "## PARAMETERS", "-Name and -Id share position 0 in the set ByName")]
    [InlineData("- Name: (All)\n  Position: Named", "- Name: (All)\n  Position: 2", "```yaml", "switches are named")]
    [InlineData("### -Force", "### Force", "### Force", "A parameter heading is '### -Name'")]
    public void Each_slip_fails_at_its_line_with_a_message_that_says_what_to_write(string find, string replace, string lineAfter, string message)
    {
        var e = Fails(Replace(find, replace), message);
        var lines = Replace(find, replace).Split('\n');
        Assert.True(e.Line >= 1 && e.Line <= lines.Length, $"Line {e.Line} is outside the file.");
        Assert.Equal(lineAfter, lines[e.Line - 1]);
    }

    [Fact]
    public void A_missing_section_is_named()
    {
        var start = HelpSample.Valid.IndexOf("## ALIASES", StringComparison.Ordinal);
        var end = HelpSample.Valid.IndexOf("## DESCRIPTION", StringComparison.Ordinal);
        Fails(HelpSample.Valid[..start] + HelpSample.Valid[end..], "The '## ALIASES' section is missing.");
    }

    [Fact]
    public void One_example_is_not_enough()
    {
        var start = HelpSample.Valid.IndexOf("### Example 2", StringComparison.Ordinal);
        var end = HelpSample.Valid.IndexOf("## PARAMETERS", StringComparison.Ordinal);
        Fails(HelpSample.Valid[..start] + HelpSample.Valid[end..], "at least 2 examples");
    }

    [Fact]
    public void A_file_without_front_matter_says_what_it_needs()
    {
        var e = Fails(HelpSample.Valid[(HelpSample.Valid.IndexOf("# Get-Thing", StringComparison.Ordinal))..], "must start with the YAML front matter");
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void An_unclosed_code_block_is_caught_where_it_opens()
    {
        var text = HelpSample.Valid.Replace("Get-Thing -Id 1\n```", "Get-Thing -Id 1", StringComparison.Ordinal);
        // Markdig reads the rest of the file into the open block, so the sections after it vanish.
        var e = Assert.Throws<HelpFormatException>(() => Parse(text));
        Assert.Contains("not closed", e.Message, StringComparison.Ordinal);
        Assert.Equal(HelpSample.LineOf("```powershell", "### Example 2: Two"), e.Line);
    }

    [Fact]
    public void The_file_is_named_after_the_cmdlet()
    {
        var e = Assert.Throws<HelpFormatException>(() => HelpMarkdown.Parse(HelpSample.Valid, "Get-Other.md"));
        Assert.Contains("name the file after the cmdlet", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cmdlet_without_parameters_has_only_CommonParameters()
    {
        var start = HelpSample.Valid.IndexOf("### -Name", StringComparison.Ordinal);
        var end = HelpSample.Valid.IndexOf("### CommonParameters", StringComparison.Ordinal);
        var text = HelpSample.Valid[..start] + HelpSample.Valid[end..];
        text = text.Replace("- Name: ByName", "- Name: ByOther", StringComparison.Ordinal);
        Assert.Empty(Parse(text).Parameters);
    }

    [Theory]
    [InlineData("System.String", "String")]
    [InlineData("System.String[]", "String[]")]
    [InlineData("System.Nullable[System.Boolean]", "Boolean")]
    [InlineData("Hailuo.PowerShell.HailuoJobInfo[]", "HailuoJobInfo[]")]
    [InlineData("System.Management.Automation.SwitchParameter", "SwitchParameter")]
    public void Get_Help_shows_short_type_names(string type, string shown)
    {
        Assert.Equal(shown, ParameterHelp.ShortTypeName(type));
    }
}
