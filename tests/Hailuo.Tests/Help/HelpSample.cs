namespace Hailuo.Tests.Help;

/// <summary>A good help source for a made-up Get-Thing, in the form docs/help/README.md describes, that the generator tests break one slip at a time.</summary>
internal static class HelpSample
{
    public const string FileName = "Get-Thing.md";

    // Normalised, so a checkout with CRLF line endings reads the same.
    public static readonly string Valid = """
        ---
        document type: cmdlet
        external help file: Thing.dll-Help.xml
        HelpUri: ''
        Locale: en-US
        Module Name: Thing
        ms.date: 01/02/2026
        PlatyPS schema version: 2024-05-01
        title: Get-Thing
        ---

        # Get-Thing

        ## SYNOPSIS

        Gets a thing, for the generator's tests.

        ## SYNTAX

        ### ByName (Default)

        ```
        Get-Thing [-Name] <string> [-Force] [<CommonParameters>]
        ```

        ### ById

        ```
        Get-Thing [-Id] <int> [-Force] [<CommonParameters>]
        ```

        ## ALIASES

        ## DESCRIPTION

        A paragraph that
        spans two lines, with `code` and *emphasis*.

        - A list item
          that continues.

        ## EXAMPLES

        ### Example 1: One

        ```powershell
        Get-Thing -Name a
        ## a PowerShell comment, not a section
        ```

        Gets a.

        ### Example 2: Two

        ```powershell
        Get-Thing -Id 1
        ```

        Gets 1.

        And says more.

        ## PARAMETERS

        ### -Name

        The name.

        ```yaml
        Type: System.String
        DefaultValue: none
        SupportsWildcards: true
        ParameterValue: []
        Aliases:
        - n
        - thing_name
        ParameterSets:
        - Name: ByName
          Position: 0
          IsRequired: true
          ValueFromPipeline: true
          ValueFromPipelineByPropertyName: true
          ValueFromRemainingArguments: false
        DontShow: false
        AcceptedValues: []
        HelpMessage: ''
        ```

        ### -Id

        The id.

        ```yaml
        Type: System.Nullable[System.Int32]
        DefaultValue: ''
        SupportsWildcards: false
        ParameterValue: []
        Aliases: []
        ParameterSets:
        - Name: ById
          Position: 0
          IsRequired: true
          ValueFromPipeline: false
          ValueFromPipelineByPropertyName: false
          ValueFromRemainingArguments: false
        DontShow: false
        AcceptedValues: []
        HelpMessage: ''
        ```

        ### -Force

        Forces it.

        ```yaml
        Type: System.Management.Automation.SwitchParameter
        DefaultValue: ''
        SupportsWildcards: false
        ParameterValue: []
        Aliases: []
        ParameterSets:
        - Name: (All)
          Position: Named
          IsRequired: false
          ValueFromPipeline: false
          ValueFromPipelineByPropertyName: false
          ValueFromRemainingArguments: false
        DontShow: false
        AcceptedValues: []
        HelpMessage: ''
        ```

        ### CommonParameters

        This cmdlet supports the common parameters.

        ## INPUTS

        ### System.String

        Names.

        ## OUTPUTS

        ### None

        ## NOTES

        A note with `code`.

        ## RELATED LINKS

        - about_Thing
        - [Online](https://example.com/thing)
        """.ReplaceLineEndings("\n");

    /// <summary>The 1-based line of the first line of <see cref="Valid"/> that is exactly <paramref name="line"/>, after <paramref name="after"/>.</summary>
    public static int LineOf(string line, string? after = null)
    {
        var lines = Valid.Split('\n');
        var start = after is null ? 0 : Array.IndexOf(lines, after);
        return Array.IndexOf(lines, line, start) + 1;
    }
}
