using System.Management.Automation;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Completion;

/// <summary>Tab completion as a user gets it: TabExpansion2 on a half-typed command line, the cursor at its end.</summary>
public sealed class CompleterTests : RunspaceTest
{
    [Theory]
    [InlineData("New-HailuoVideo -Provider ", new[] { "CoreToday", "Cloudflare", "Replicate", "MiniMax" })]
    [InlineData("Connect-Hailuo ", new[] { "CoreToday", "Cloudflare", "Replicate", "MiniMax" })]
    [InlineData("Get-HailuoJob -Provider ", new[] { "CoreToday", "Cloudflare", "Replicate", "MiniMax" })]
    [InlineData("Wait-HailuoJob -Id job-1 -Provider ", new[] { "CoreToday", "Cloudflare", "Replicate", "MiniMax" })]
    [InlineData("New-HailuoVideo -Model ", new[] { "hailuo-2.3", "hailuo-2.3-fast" })]
    [InlineData("New-HailuoVideo -Resolution ", new[] { "768p", "1080p" })]
    [InlineData("New-HailuoVideo -Duration ", new[] { "6", "10" })]
    public void Each_completer_offers_its_whole_set_in_order(string line, string[] expected)
    {
        var results = Complete(line);

        Assert.Equal(expected, results.Select(r => r.CompletionText));
        Assert.All(results, r =>
        {
            Assert.Equal(CompletionResultType.ParameterValue, r.ResultType);
            Assert.Equal(r.CompletionText, r.ListItemText);
            Assert.Equal(r.CompletionText, r.ToolTip);
        });
    }

    [Theory]
    [InlineData("New-HailuoVideo -Provider c", new[] { "CoreToday", "Cloudflare" })]
    [InlineData("New-HailuoVideo -Provider CORE", new[] { "CoreToday" })]
    [InlineData("New-HailuoVideo -Provider mini", new[] { "MiniMax" })]
    [InlineData("Connect-Hailuo rep", new[] { "Replicate" })]
    [InlineData("New-HailuoVideo -Model HAILUO-2.3-", new[] { "hailuo-2.3-fast" })]
    [InlineData("New-HailuoVideo -Model hailuo-2.3", new[] { "hailuo-2.3", "hailuo-2.3-fast" })]
    [InlineData("New-HailuoVideo -Resolution 1", new[] { "1080p" })]
    [InlineData("New-HailuoVideo -Resolution 768P", new[] { "768p" })]
    [InlineData("New-HailuoVideo -Duration 1", new[] { "10" })]
    public void What_was_typed_narrows_the_values_ignoring_case(string line, string[] expected) =>
        Assert.Equal(expected, Complete(line).Select(r => r.CompletionText));

    [Theory]
    [InlineData("New-HailuoVideo -Provider x")]
    [InlineData("New-HailuoVideo -Provider CoreTodayX")]
    [InlineData("New-HailuoVideo -Model minimax")]
    [InlineData("New-HailuoVideo -Duration 7")]
    public void A_word_no_value_starts_with_gets_no_value(string line) =>
        Assert.DoesNotContain(Complete(line), r => r.ResultType == CompletionResultType.ParameterValue);

    [Theory]
    [InlineData("New-HailuoVideo -Provider 'co", "'CoreToday'")]
    [InlineData("New-HailuoVideo -Provider \"co", "\"CoreToday\"")]
    [InlineData("New-HailuoVideo -Model 'hailuo-2.3-f", "'hailuo-2.3-fast'")]
    // PowerShell reads curly quotes as straight ones; the word typed with one still completes.
    [InlineData("New-HailuoVideo -Provider \u2018co", "'CoreToday'")]
    [InlineData("New-HailuoVideo -Provider \u201Cco", "\"CoreToday\"")]
    public void A_value_keeps_the_quote_it_was_started_with(string line, string expected) =>
        Assert.Equal(expected, Assert.Single(Complete(line)).CompletionText);

    [Fact]
    public void InputObject_is_hidden_from_completion()
    {
        Assert.DoesNotContain(Complete("New-HailuoVideo -In"), r => r.CompletionText == "-InputObject");
        Assert.Contains(Complete("New-HailuoVideo -Pr"), r => r.CompletionText == "-Prompt");
    }

    [Fact]
    public void Job_ids_come_from_the_ledger_newest_first_with_status_and_prompt()
    {
        Connect();
        Run("New-HailuoVideo -Prompt 'A paper boat' | Wait-HailuoJob").AssertNoErrors();
        Run("New-HailuoVideo -Prompt 'A lantern festival'").AssertNoErrors();
        // A create whose answer was lost is in the ledger with no id: nothing to offer.
        Emulator.SetFaults("create:drop=1");
        Run("New-HailuoVideo -Prompt 'A lost create'");
        Emulator.SetFaults("");
        Run("New-HailuoVideo -Prompt 'Fireworks'").AssertNoErrors();
        // The listing shows the lost create too (Status Unknown, no id), so that it can be settled; completion offers ids only.
        var ledger = Run("Get-HailuoJob").AssertNoErrors().Output.Where(job => job.Text("Id") is not null).ToList();

        var results = Complete("Get-HailuoJob -Id ");

        Assert.Equal(ledger.Select(job => job.Text("Id")), results.Select(r => r.CompletionText));
        Assert.Equal(["Fireworks", "A lantern festival", "A paper boat"], ledger.Select(job => job.Text("Prompt")));
        // Each tooltip is "status, prompt" as the ledger holds it when completing: a job still running may finish between the
        // listing and the completion, so the prompts are compared with the listing and the statuses with the ledger's words.
        Assert.Equal(ledger.Select(job => job.Text("Prompt")), results.Select(r => r.ToolTip.Split(", ", 2)[1]));
        Assert.All(results, r => Assert.Contains(r.ToolTip.Split(", ", 2)[0], new[] { "Queued", "Running", "Succeeded", "Failed", "Canceled" }));
        Assert.Equal("Succeeded, A paper boat", results[^1].ToolTip);
        Assert.All(results, r => Assert.Equal(r.CompletionText, r.ListItemText));
    }

    [Theory]
    [InlineData("Get-HailuoJob ")]
    [InlineData("Wait-HailuoJob -Id ")]
    [InlineData("Stop-HailuoJob -Id ")]
    [InlineData("Save-HailuoVideo -Id ")]
    [InlineData("Get-HailuoJob -job_id ")]
    public void Every_Id_parameter_completes_job_ids(string line)
    {
        Connect();
        var id = Assert.Single(Run("New-HailuoVideo -Prompt 'A paper boat'").AssertNoErrors().Output).Text("Id");

        Assert.Equal([id], Complete(line).Select(r => r.CompletionText));
    }

    [Fact]
    public void Job_ids_are_narrowed_by_what_was_typed_ignoring_case_and_quotes()
    {
        Connect();
        var ids = Run("'A paper boat', 'A lantern festival', 'Fireworks' | ForEach-Object { (New-HailuoVideo -Prompt $_).Id }").AssertNoErrors()
            .Output.Select(o => (string)o.BaseObject).ToList();
        var target = ids[1];
        // The shortest start of the id that no other id shares.
        var prefix = Enumerable.Range(1, target.Length).Select(n => target[..n]).First(p => ids.Count(i => i.StartsWith(p, StringComparison.OrdinalIgnoreCase)) == 1);

        Assert.Equal([target], Complete("Get-HailuoJob -Id " + prefix.ToUpperInvariant()).Select(r => r.CompletionText));
        Assert.Equal(["'" + target + "'"], Complete("Get-HailuoJob -Id '" + prefix).Select(r => r.CompletionText));
    }

    [Fact]
    public void At_most_50_job_ids_are_offered_the_newest()
    {
        Connect();
        var ids = Run("1..55 | ForEach-Object { (New-HailuoVideo -Prompt \"A paper boat, take $_\").Id }").AssertNoErrors()
            .Output.Select(o => (string)o.BaseObject).ToList();

        var results = Complete("Get-HailuoJob -Id ");

        Assert.Equal(Enumerable.Reverse(ids).Take(50), results.Select(r => r.CompletionText));
    }

    [Fact]
    public void A_long_prompt_is_shortened_in_the_tooltip()
    {
        Connect();
        var prompt = new string('a', 500);
        Run("param($Prompt) New-HailuoVideo -Prompt $Prompt", new { Prompt = prompt }).AssertNoErrors();
        var status = Assert.Single(Run("Get-HailuoJob").AssertNoErrors().Output).Text("Status");

        var tip = Assert.Single(Complete("Get-HailuoJob -Id ")).ToolTip;

        Assert.Equal($"{status}, {new string('a', 79)}…", tip);
    }

    [Fact]
    public void Without_a_ledger_no_id_is_offered_and_none_is_created()
    {
        Assert.DoesNotContain(Complete("Get-HailuoJob -Id "), r => r.ResultType == CompletionResultType.ParameterValue);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Home.Data));
    }

    [Fact]
    public void A_folder_where_the_ledger_should_be_offers_nothing_and_fails_nothing()
    {
        Directory.CreateDirectory(Home.Ledger);

        var result = Run("param($Line) TabExpansion2 -inputScript $Line -cursorColumn $Line.Length", new { Line = "Get-HailuoJob -Id " });

        Assert.Empty(result.Errors);
        Assert.Null(result.Terminating);
        Assert.DoesNotContain(Assert.Single(result.Objects<CommandCompletion>()).CompletionMatches, r => r.ResultType == CompletionResultType.ParameterValue);
    }

    private List<CompletionResult> Complete(string line) =>
        Assert.Single(Run("param($Line) TabExpansion2 -inputScript $Line -cursorColumn $Line.Length", new { Line = line })
            .AssertNoErrors().Objects<CommandCompletion>()).CompletionMatches.ToList();
}
