using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Help;

/// <summary>
/// tools/Update-CmdletDocs.ps1, run as a person runs it: the committed docs/help and docs/cmdlets.md
/// match the compiled cmdlets (so a changed attribute fails here until the docs are regenerated), and,
/// on copies, -Check names what is out of date and the update fixes it, keeping the prose.
/// </summary>
[Collection(RunspaceCollection.Name)]
public sealed class UpdateCmdletDocsTests : IDisposable
{
    private static readonly string Script = RepoPaths.Combine("tools", "Update-CmdletDocs.ps1");

    private readonly TestHome _home = new();
    private readonly ModuleRunspace _session;

    public UpdateCmdletDocsTests()
    {
        // The script imports the module itself, as it does in a fresh PowerShell.
        _session = ModuleRunspace.Open(_home.Work, importModule: false);
    }

    private string HelpCopy => Path.Combine(_home.Path, "help");

    private string SurfaceCopy => Path.Combine(_home.Path, "cmdlets.md");

    /// <summary>Runs the script; returns its output lines and exit code, or the error that stopped it.</summary>
    private (List<string> Output, int ExitCode, ScriptResult Result) Update(bool check, string? help = null, string? surface = null)
    {
        var result = _session.Run("""
            param($Script, $Check, $HelpPath, $SurfacePath)
            $arguments = @{ Check = $Check }
            if ($HelpPath) { $arguments.HelpPath = $HelpPath; $arguments.SurfacePath = $SurfacePath }
            $global:LASTEXITCODE = 0
            & $Script @arguments
            "exit $LASTEXITCODE"
            """, new { Script, Check = check, HelpPath = help, SurfacePath = surface });
        var output = result.Output.Select(o => o.ToString()).ToList();
        var exit = output.Count > 0 && output[^1].StartsWith("exit ", StringComparison.Ordinal) ? int.Parse(output[^1][5..], System.Globalization.CultureInfo.InvariantCulture) : -1;
        return (output, exit, result);
    }

    private void CopyDocs()
    {
        Directory.CreateDirectory(HelpCopy);
        foreach (var file in Directory.GetFiles(RepoPaths.Combine("docs", "help"), "*.md"))
        {
            File.Copy(file, Path.Combine(HelpCopy, Path.GetFileName(file)));
        }
        File.Copy(RepoPaths.Combine("docs", "cmdlets.md"), SurfaceCopy);
    }

    private string HelpFile(string cmdlet) => Path.Combine(HelpCopy, cmdlet + ".md");

    /// <summary>Replaces the only occurrence of <paramref name="find"/> after <paramref name="after"/> in a copied help file.</summary>
    private void Edit(string cmdlet, string after, string find, string replace)
    {
        var text = File.ReadAllText(HelpFile(cmdlet));
        var at = text.IndexOf(find, text.IndexOf(after, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.True(at >= 0, $"No '{find}' after '{after}' in {cmdlet}.md.");
        File.WriteAllText(HelpFile(cmdlet), text[..at] + replace + text[(at + find.Length)..]);
    }

    [Fact]
    public void The_committed_docs_match_the_compiled_cmdlets()
    {
        var (output, exit, result) = Update(check: true);

        result.AssertNoErrors();
        Assert.True(exit == 0, "docs/help or docs/cmdlets.md is out of date; run `dotnet pwsh -File tools/Update-CmdletDocs.ps1` after building:\n" + string.Join("\n", output));
    }

    [Fact]
    public void Check_names_each_difference_and_changes_nothing()
    {
        CopyDocs();
        // A binding the cmdlet does not declare, and a surface summary that lost a line.
        Edit("New-HailuoVideo", "### -Wait", "  IsRequired: false", "  IsRequired: true");
        File.WriteAllLines(SurfaceCopy, File.ReadAllLines(SurfaceCopy).Where(l => !l.StartsWith("| Timeout ", StringComparison.Ordinal)));
        var before = Directory.GetFiles(HelpCopy).Append(SurfaceCopy).ToDictionary(f => f, File.ReadAllText);

        var (output, exit, result) = Update(check: true, HelpCopy, SurfaceCopy);

        result.AssertNoErrors();
        Assert.Equal(1, exit);
        var text = string.Join("\n", output);
        Assert.Contains("New-HailuoVideo.md: the yaml block of -Wait differs from the cmdlet:", text, StringComparison.Ordinal);
        Assert.Contains("+   IsRequired: false", text, StringComparison.Ordinal);
        Assert.Contains("cmdlets.md differs from the compiled cmdlets:", text, StringComparison.Ordinal);
        Assert.Contains("+ | Timeout |", text, StringComparison.Ordinal);
        Assert.DoesNotContain(output, l => l.StartsWith("Get-HailuoJob.md", StringComparison.Ordinal));
        Assert.All(before, f => Assert.Equal(f.Value, File.ReadAllText(f.Key)));
    }

    [Fact]
    public void An_update_regenerates_syntax_and_yaml_adds_a_stub_for_an_undocumented_parameter_and_keeps_the_prose()
    {
        CopyDocs();
        var original = File.ReadAllText(HelpFile("New-HailuoVideo"));
        Edit("New-HailuoVideo", "## SYNTAX", "-Wait", "-Hold");
        Edit("New-HailuoVideo", "### -Duration", "DefaultValue: '6'", "DefaultValue: '6 seconds'");
        var force = original.IndexOf("### -Force", StringComparison.Ordinal);
        var next = original.IndexOf("### -", force + 1, StringComparison.Ordinal);
        File.WriteAllText(HelpFile("New-HailuoVideo"), File.ReadAllText(HelpFile("New-HailuoVideo")).Replace(original[force..next], "", StringComparison.Ordinal));

        var (output, exit, result) = Update(check: false, HelpCopy, SurfaceCopy);

        result.AssertNoErrors();
        Assert.Equal(0, exit);
        Assert.Contains(output, l => l.Contains("New-HailuoVideo.md: -Force is not documented; a stub section is added.", StringComparison.Ordinal));
        var updated = File.ReadAllText(HelpFile("New-HailuoVideo"));
        Assert.DoesNotContain("-Hold", updated, StringComparison.Ordinal);
        // The default is the help's to say: the cmdlet does not declare it.
        Assert.Contains("DefaultValue: '6 seconds'", updated, StringComparison.Ordinal);
        Assert.Contains("### -Force\n\n{{ Fill in the description of -Force }}\n\n```yaml\nType: System.Management.Automation.SwitchParameter", updated, StringComparison.Ordinal);
        // Everything before PARAMETERS, the syntax included, is as it was.
        Assert.Equal(original[..original.IndexOf("## PARAMETERS", StringComparison.Ordinal)], updated[..updated.IndexOf("## PARAMETERS", StringComparison.Ordinal)]);

        var again = Update(check: true, HelpCopy, SurfaceCopy);
        Assert.True(again.ExitCode == 0, "A second run still finds differences:\n" + string.Join("\n", again.Output));
    }

    [Fact]
    public void A_documented_parameter_the_cmdlet_lacks_stops_it_with_the_file_and_the_parameter()
    {
        CopyDocs();
        Edit("Wait-HailuoJob", "## PARAMETERS", "### -Any", "### -Colour\n\nA colour.\n\n### -Any");

        var (_, _, result) = Update(check: false, HelpCopy, SurfaceCopy);

        Assert.NotNull(result.Terminating);
        Assert.Contains("Wait-HailuoJob.md: documents -Colour, which Wait-HailuoJob does not have", result.Terminating!.Message, StringComparison.Ordinal);
        Assert.Contains("### -Colour", File.ReadAllText(HelpFile("Wait-HailuoJob")), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _session.Dispose();
        _home.Dispose();
    }
}
