using Hailuo.HelpGen;

namespace Hailuo.Tests.Help;

/// <summary>The help source format is strict: each slip fails with its line, so thin help never ships.</summary>
public sealed class HelpFormatTests
{
    // Normalised, so a checkout with CRLF line endings reads the same.
    private static readonly string Valid = """
        # Get-Thing

        ## SYNOPSIS
        Gets a thing, for the format tests.

        ## DESCRIPTION
        A paragraph that
        spans two lines.

        - A list item
          that continues.

        ## PARAMETER SETS
        - ByName (default)
        - ById

        ## PARAMETERS

        ### -Name
        - Type: System.String
        - Required: true
        - Position: 0
        - Pipeline: ByValue, ByPropertyName
        - Aliases: n, thing_name
        - Sets: ByName
        - Default: `none`

        The name.

        ### -Id
        - Type: System.Nullable[System.Int32]
        - Required: true
        - Position: 0
        - Pipeline: false
        - Aliases: none
        - Sets: ById

        The id.

        ### -Force
        - Type: System.Management.Automation.SwitchParameter
        - Required: false
        - Position: named
        - Pipeline: false
        - Aliases: none
        - Sets: All
        - Wildcards: false

        Forces it.

        ## INPUTS

        ### System.String
        Names.

        ## OUTPUTS

        ### None
        Nothing.

        ## NOTES
        A note with `code`.

        ## EXAMPLES

        ### Example 1: One
        ```powershell
        Get-Thing -Name a
        ## a PowerShell comment, not a section
        ```
        Gets a.

        ### Example 2: Two
        ```
        Get-Thing -Id 1
        ```
        Gets 1.

        ## RELATED LINKS
        - about_Thing
        - [Online](https://example.com/thing)
        """.ReplaceLineEndings("\n");

    private static CommandHelp Parse(string text) => HelpMarkdown.Parse(text, "Get-Thing.md");

    private static HelpFormatException Fails(string text, string message)
    {
        var e = Assert.Throws<HelpFormatException>(() => Parse(text));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Equal("Get-Thing.md", e.SourcePath);
        Assert.True(e.Line >= 1);
        return e;
    }

    [Fact]
    public void A_valid_source_reads_completely()
    {
        var help = Parse(Valid);
        Assert.Equal(("Get", "Thing"), (help.Verb, help.Noun));
        Assert.Equal("Gets a thing, for the format tests.", Assert.Single(help.Synopsis));
        Assert.Equal(new[] { "A paragraph that spans two lines.", "- A list item that continues." }, help.Description);
        Assert.Equal(new[] { "ByName", "ById" }, help.ParameterSets);

        var name = help.Parameters[0];
        Assert.Equal(("Name", "System.String", true, (int?)0, PipelineInput.ByValueAndByPropertyName), (name.Name, name.Type, name.Required, name.Position, name.Pipeline));
        Assert.Equal(new[] { "n", "thing_name" }, name.Aliases);
        Assert.Equal(new[] { "ByName" }, name.Sets);
        Assert.Equal("none", name.DefaultValue);
        Assert.Equal("Int32", help.Parameters[1].DisplayType);
        Assert.True(help.Parameters[2].IsSwitch);
        Assert.Empty(help.Parameters[2].Sets);

        Assert.Equal("A note with code.", Assert.Single(help.Notes));
        Assert.Equal(2, help.Examples.Count);
        Assert.Equal("Get-Thing -Name a\n## a PowerShell comment, not a section", help.Examples[0].Code);
        Assert.Equal("Gets 1.", Assert.Single(help.Examples[1].Remarks));
        Assert.Equal("https://example.com/thing", help.RelatedLinks[1].Uri);
        Assert.Null(help.RelatedLinks[0].Uri);
    }

    [Fact]
    public void Line_numbers_point_at_the_offending_line()
    {
        var e = Fails(Valid.Replace("- Pipeline: false\n- Aliases: none\n- Sets: ById", "- Pipeline: sometimes\n- Aliases: none\n- Sets: ById", StringComparison.Ordinal), "Pipeline is false");
        var lines = Valid.Split('\n');
        Assert.Equal("- Pipeline: false", lines[e.Line - 1]);
    }

    [Theory]
    [InlineData("## SYNOPSIS\nGets a thing, for the format tests.\n", "", "The '## SYNOPSIS' section is missing.")]
    [InlineData("## NOTES", "## REMARKS", "Unknown section '## REMARKS'")]
    [InlineData("- Required: true\n- Position: 0\n- Pipeline: ByValue", "- Required: yes\n- Position: 0\n- Pipeline: ByValue", "Required is true or false")]
    [InlineData("- Sets: ByName\n", "- Sets: ByName\n- Color: red\n", "Unknown field 'Color'")]
    [InlineData("- Aliases: n, thing_name\n", "", "lacks the field '- Aliases: ...'")]
    [InlineData("- Sets: ById\n", "- Sets: ByOther\n", "names the set ByOther")]
    [InlineData("- Sets: ById\n", "- Sets: ByName\n", "share position 0 in the set ByName")]
    [InlineData("- ByName (default)", "- ByName", "Mark the default parameter set")]
    [InlineData("### Example 2: Two", "### Example 3: Two", "expected Example 2")]
    [InlineData("```\nGet-Thing -Id 1\n```\nGets 1.", "```\nGet-Thing -Id 1\n```\n", "Say what the example does")]
    [InlineData("The name.", "", "-Name has no description")]
    [InlineData("Forces it.", "Forces it.\n\n```\nx\n```", "A code block is only allowed as an example's code")]
    [InlineData("- Type: System.Management.Automation.SwitchParameter\n- Required: false\n- Position: named", "- Type: System.Management.Automation.SwitchParameter\n- Required: false\n- Position: 3", "switches are named")]
    [InlineData("Gets a thing, for the format tests.", "Gets a thing.\n\nAnd a second paragraph.", "SYNOPSIS is one paragraph")]
    public void Each_slip_fails_with_a_message_that_says_what_to_write(string find, string replace, string message)
    {
        Assert.Contains(find, Valid, StringComparison.Ordinal);
        Fails(Valid.Replace(find, replace, StringComparison.Ordinal), message);
    }

    [Fact]
    public void Sections_must_come_in_order()
    {
        var swapped = Valid.Replace("## INPUTS", "## TEMP", StringComparison.Ordinal)
            .Replace("## OUTPUTS", "## INPUTS", StringComparison.Ordinal)
            .Replace("## TEMP", "## OUTPUTS", StringComparison.Ordinal);
        Fails(swapped, "out of order");
    }

    [Fact]
    public void One_example_is_not_enough()
    {
        var cut = Valid[..Valid.IndexOf("### Example 2", StringComparison.Ordinal)] + "## RELATED LINKS\n- about_Thing\n";
        Fails(cut, "at least 2 examples");
    }

    [Fact]
    public void The_file_is_named_after_the_cmdlet()
    {
        var e = Assert.Throws<HelpFormatException>(() => HelpMarkdown.Parse(Valid, "Get-Other.md"));
        Assert.Contains("name the file after the cmdlet", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cmdlet_without_parameters_says_None()
    {
        var start = Valid.IndexOf("## PARAMETER SETS", StringComparison.Ordinal);
        var end = Valid.IndexOf("## INPUTS", StringComparison.Ordinal);
        var none = Valid[..start] + "## PARAMETERS\nNone.\n\n" + Valid[end..];
        Assert.Empty(Parse(none).Parameters);
        Fails(Valid[..start] + "## PARAMETERS\n\n" + Valid[end..], "write 'None.'");
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
