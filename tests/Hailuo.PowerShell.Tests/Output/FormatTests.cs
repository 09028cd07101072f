using System.Text.RegularExpressions;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Output;

/// <summary>What users see at the console: the views of module/Hailuo.format.ps1xml, rendered by PowerShell through Out-String.</summary>
public sealed class FormatTests : RunspaceTest
{
    private static readonly string[] JobProperties =
    [
        "Id", "Provider", "Model", "Status", "Prompt", "FirstFrameImage", "Duration", "Resolution", "PromptOptimizer", "FastPretreatment",
        "CallbackUrl", "VideoUri", "FileId", "Error", "ErrorKind", "RecommendedAction", "CreatedAt", "StartedAt", "CompletedAt", "Elapsed",
        "Reused", "InputHash", "Index", "Credits", "Tag",
    ];

    [Fact]
    public void Jobs_show_by_default_as_a_table_of_Index_Id_Status_Elapsed_and_Prompt()
    {
        WriteCsv("rows.csv", "prompt", ["A lighthouse in a storm", "A paper boat in a gutter"]);
        Connect();

        var text = Render("Import-Csv rows.csv | New-HailuoVideo | Wait-HailuoJob | Sort-Object Prompt");

        var lines = Lines(text);
        Assert.Equal(["Index", "Id", "Status", "Elapsed", "Prompt"], Words(lines[0]));
        Assert.Matches("^[- ]+$", lines[1]);
        Assert.Equal(2, lines.Count - 2);
        foreach (var (line, (index, prompt)) in lines.Skip(2).Zip(new[] { ("1", "A lighthouse in a storm"), ("2", "A paper boat in a gutter") }))
        {
            var cells = Words(line);
            Assert.Equal(index, cells[0]);
            Assert.Matches("^job_", cells[1]);
            Assert.Equal("Succeeded", cells[2]);
            Assert.Matches(@"^\d+:\d\d:\d\d$", cells[3]);
            Assert.Equal(prompt, string.Join(' ', cells[4..]));
        }
    }

    [Theory]
    [InlineData("[timespan]::FromSeconds(123)", "0:02:03")]
    [InlineData("New-Object timespan 1, 2, 0, 5", "26:00:05")]
    [InlineData("[timespan]::Zero", "0:00:00")]
    public void Elapsed_reads_as_hours_minutes_and_seconds_and_hours_past_a_day_keep_counting(string elapsed, string shown)
    {
        var text = Render($"[Hailuo.PowerShell.HailuoJobInfo]@{{ Id = 'job_1'; Status = 'Running'; Provider = 'CoreToday'; Elapsed = {elapsed}; Prompt = 'A kite' }}");

        Assert.Equal(["0", "job_1", "Running", shown, "A", "kite"], Words(Lines(text)[2]));
    }

    [Fact]
    public void A_job_without_Elapsed_shows_an_empty_cell()
    {
        var text = Render("[Hailuo.PowerShell.HailuoJobInfo]@{ Id = 'job_1'; Status = 'Queued'; Provider = 'CoreToday'; Prompt = 'A kite' }");

        Assert.Equal(["0", "job_1", "Queued", "A", "kite"], Words(Lines(text)[2]));
    }

    [Theory]
    [InlineData("A lighthouse in a storm, with waves crashing over the rocks below", "A lighthouse in a storm, with waves crashing over the rocks below")]
    [InlineData("A  lighthouse\nin a storm", "A lighthouse in a storm")]
    public void The_prompt_column_collapses_whitespace_and_takes_the_width_the_console_leaves(string prompt, string shown)
    {
        var text = Render("param($Prompt) [Hailuo.PowerShell.HailuoJobInfo]@{ Id = 'job_1'; Status = 'Queued'; Provider = 'CoreToday'; Prompt = $Prompt }",
            new { Prompt = prompt });

        var row = Lines(text)[2];
        Assert.EndsWith(" " + shown, row, StringComparison.Ordinal);
    }

    [Fact]
    public void The_list_view_shows_every_property_in_order_with_the_tag_as_sorted_pairs()
    {
        WriteCsv("rows.csv", "prompt,scene,Act", ["A lighthouse in a storm,12,2"]);
        Connect();

        var text = Render("Import-Csv rows.csv | New-HailuoVideo | Wait-HailuoJob | Format-List");

        var entries = Lines(text).Where(line => !line.StartsWith(' ')).Select(line => line.Split(':', 2)).ToList();
        Assert.Equal(JobProperties, entries.Select(entry => entry[0].Trim()));
        Assert.Equal("Act=2; scene=12", entries.Single(entry => entry[0].Trim() == "Tag")[1].Trim());
        Assert.Equal("A lighthouse in a storm", entries.Single(entry => entry[0].Trim() == "Prompt")[1].Trim());
    }

    [Fact]
    public void The_connection_shows_as_a_table_of_where_the_key_comes_from_never_the_key()
    {
        Connect();

        var text = Render("Get-HailuoConnection");

        var lines = Lines(text);
        Assert.Equal(["Provider", "Account", "CredentialSource", "Vault", "SecretName", "BaseUri"], Words(lines[0]));
        var cells = Words(lines[2]);
        Assert.Equal("CoreToday", cells[0]);
        Assert.Equal("-ApiKey", cells[2]);
        Assert.Equal(Emulator.BaseUri(), cells[^1]);
        Assert.DoesNotContain(EmulatorHost.Key, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_view_is_for_a_type_of_the_module_and_reads_only_properties_that_type_has()
    {
        // The views as PowerShell loaded them, and each script block's $_.Name reads as PowerShell's parser finds them.
        var result = Run("""
            foreach ($data in Get-FormatData -TypeName 'Hailuo.*') {
                $type = $data.TypeNames[0] -as [type]
                foreach ($view in $data.FormatViewDefinition) {
                    $entries = @($view.Control.Rows.Columns.DisplayEntry) + @($view.Control.Entries.Items.DisplayEntry) | Where-Object { $_ }
                    foreach ($entry in $entries) {
                        $names = if ($entry.ValueType -eq 'Property') { $entry.Value } else {
                            [scriptblock]::Create($entry.Value).Ast.FindAll({
                                param($node)
                                $node -is [System.Management.Automation.Language.MemberExpressionAst] -and
                                $node.Expression -is [System.Management.Automation.Language.VariableExpressionAst] -and
                                $node.Expression.VariablePath.UserPath -eq '_'
                            }, $true) | ForEach-Object { $_.Member.Value }
                        }
                        foreach ($name in $names) {
                            [pscustomobject]@{ View = $view.Name; Type = $data.TypeNames[0]; Module = $type.Assembly.GetName().Name; Property = $name; Exists = [bool]$type.GetProperty($name) }
                        }
                    }
                }
            }
            """).AssertNoErrors();

        Assert.Equal(["Hailuo.PowerShell.HailuoConnectionInfo", "Hailuo.PowerShell.HailuoJobInfo", "Hailuo.PowerShell.HailuoJobInfo.List"],
            result.Output.Select(read => read.Text("View")).Distinct().Order(StringComparer.Ordinal));
        Assert.All(result.Output, read => Assert.Equal("Hailuo.PowerShell", read.Text("Module")));
        Assert.All(result.Output, read => Assert.True((bool)read.Property("Exists")!, $"{read.Text("View")} reads {read.Text("Property")}, which {read.Text("Type")} does not have."));
        Assert.Equal(JobProperties.Order(StringComparer.Ordinal),
            result.Output.Where(read => read.Text("View") == "Hailuo.PowerShell.HailuoJobInfo.List").Select(read => read.Text("Property")).Distinct().Order(StringComparer.Ordinal));
    }

    private string Render(string script, object? parameters = null) =>
        string.Concat(Run(script + " | Out-String -Width 250", parameters).AssertNoErrors().Output.Select(o => o.BaseObject));

    private static List<string> Lines(string text) =>
        text.Split('\n').Select(line => line.TrimEnd('\r', ' ')).Where(line => line.Length > 0).ToList();

    private static string[] Words(string line) => Regex.Split(line.Trim(), @"\s+");
}
