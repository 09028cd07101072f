using System.Management.Automation;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Cmdlets;

/// <summary>New-HailuoVideo as a PowerShell user feeds it: strings, arrays, CSV rows good and bad, and -Wait.</summary>
public sealed class NewHailuoVideoRowsTests : RunspaceTest
{
    [Fact]
    public void Strings_from_the_pipeline_and_arrays_given_to_Prompt_are_prompts()
    {
        Connect();

        var piped = Run("'A kite over a hill', 'A heron in the reeds' | New-HailuoVideo").AssertNoErrors();
        var array = Run("New-HailuoVideo -Prompt 'A fox in the snow', 'A boat at dawn'").AssertNoErrors();

        Assert.Equal(["A kite over a hill", "A heron in the reeds"], piped.Output.Select(o => (string)o.Properties["Prompt"].Value));
        Assert.Equal(["A fox in the snow", "A boat at dawn"], array.Output.Select(o => (string)o.Properties["Prompt"].Value));
        Assert.Equal(4, Emulator.Count("creates"));
    }

    [Fact]
    public void A_row_whose_duration_is_not_a_number_keeps_its_row_number_and_the_later_rows_keep_theirs()
    {
        WriteCsv("rows.csv", "prompt,duration", "A first row,6", "A second row,abc", "A third row,10");
        Connect();

        var result = Run("Import-Csv rows.csv | New-HailuoVideo");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("Row 2: Duration 'abc' is not a whole number", error.Exception.Message);
        Assert.Contains("-Duration", error.ErrorDetails.RecommendedAction);
        Assert.Equal([1L, 3L], result.Output.Select(o => (long)o.Properties["Index"].Value).Order());
        Assert.Equal(2, Emulator.Count("creates"));
    }

    [Fact]
    public void A_value_typed_on_the_command_line_that_cannot_be_read_stops_before_anything_is_sent()
    {
        Connect();

        var result = Run("try { New-HailuoVideo 'A lighthouse' -Duration abc } catch { 'caught: ' + $_.FullyQualifiedErrorId }");

        Assert.Equal("caught: Hailuo.InvalidArgument,Hailuo.PowerShell.Commands.NewHailuoVideoCommand", Assert.Single(result.Output).ToString());
        Assert.Equal(0, Emulator.Count("createRequests"));
    }

    [Fact]
    public void Columns_named_like_job_properties_are_not_dropped_silently()
    {
        WriteCsv("rows.csv", "prompt,status,id,take", "A first row,draft,a1,1", "A second row,final,a2,2");
        Connect();

        var result = Run("Import-Csv rows.csv | New-HailuoVideo").AssertNoErrors();

        var warning = Assert.Single(result.Warnings);
        Assert.Contains("status", warning.Message);
        Assert.Contains("id", warning.Message);
        Assert.All(result.Output, job => Assert.NotNull(job.Properties["take"]));
    }

    [Fact]
    public void Path_without_Wait_is_refused_with_a_message_instead_of_a_prompt_for_Wait()
    {
        Connect();

        // try/catch catches terminating errors only.
        var result = Run("try { New-HailuoVideo 'A lighthouse' -Path ./videos } catch { $_ }");

        var caught = Assert.Single(result.Objects<ErrorRecord>());
        Assert.Equal("Hailuo.PathWithoutWait,Hailuo.PowerShell.Commands.NewHailuoVideoCommand", caught.FullyQualifiedErrorId);
        Assert.Contains("-Wait", caught.ErrorDetails.RecommendedAction);
        Assert.Equal(0, Emulator.Count("createRequests"));
    }

    [Fact]
    public void Wait_writes_only_files_and_each_refused_row_as_one_error()
    {
        WriteCsv("rows.csv", "prompt", "A first row", "A second row", "A third row");
        Connect();
        Emulator.SetFaultRules(new { kind = "ContentFilter", operation = "Create", times = 1 });

        var result = Run("Import-Csv rows.csv | New-HailuoVideo -Wait -Path ./videos");

        Assert.Equal(2, result.Objects<FileInfo>().Count());
        Assert.Equal(2, result.Output.Count);
        var error = Assert.Single(result.Errors);
        Assert.Contains("ended Failed", error.Exception.Message);
    }

    [Fact]
    public void Wait_saves_rows_that_share_a_prompt_under_their_own_columns()
    {
        WriteCsv("rows.csv", "prompt,take", "A paper boat,1", "A paper boat,2");
        Connect();

        var result = Run("Import-Csv rows.csv | New-HailuoVideo -Wait -Path ./videos -FileNameTemplate '{prompt}-take{take}'").AssertNoErrors();

        Assert.Equal(2, result.Objects<FileInfo>().Count());
        Assert.Equal(["a-paper-boat-take1.mp4", "a-paper-boat-take2.mp4"], Videos());
        Assert.Equal(1, Emulator.Count("creates"));
    }

    [Fact]
    public void WhatIf_on_a_csv_already_paid_for_estimates_nothing_to_pay()
    {
        WriteCsv("rows.csv", "prompt", "A first row", "A second row");
        Connect();
        Run("Import-Csv rows.csv | New-HailuoVideo | Wait-HailuoJob").AssertNoErrors();

        var whatIf = Run("Import-Csv rows.csv | New-HailuoVideo -WhatIf").AssertNoErrors();

        var warning = Assert.Single(whatIf.Warnings).Message;
        Assert.Contains("0 video(s) would be submitted", warning);
        Assert.DoesNotContain("840", warning);
        Assert.Contains("2 row(s) would use jobs already in the ledger", warning);
        Assert.Equal(2, Emulator.Count("createRequests"));
    }

    [Fact]
    public void A_failed_job_reused_from_the_ledger_is_a_warning_that_says_Force_submits_again()
    {
        Connect();
        Emulator.SetFaultRules(new { kind = "ContentFilter", operation = "Create", times = 1 });
        Run("New-HailuoVideo 'A storm at sea' | Wait-HailuoJob").AssertNoErrors();
        Emulator.SetFaults("");

        var again = Run("New-HailuoVideo 'A storm at sea'").AssertNoErrors();

        var warning = Assert.Single(again.Warnings).Message;
        Assert.Contains("Failed", warning);
        Assert.Contains("-Force", warning);
        Assert.Equal(1, Emulator.Count("createRequests"));
    }

    [Fact]
    public void A_key_the_provider_refuses_is_one_terminating_error_for_the_whole_batch()
    {
        WriteCsv("rows.csv", "prompt", "A first row", "A second row", "A third row");
        Connect(key: "not-the-key-the-emulator-takes");

        var result = Run("try { Import-Csv rows.csv | New-HailuoVideo } catch { $_ }");

        var caught = Assert.Single(result.Objects<ErrorRecord>());
        Assert.Empty(result.Errors);
        Assert.Equal(ErrorCategory.AuthenticationError, caught.CategoryInfo.Category);
        Assert.Contains("Connect-Hailuo", caught.ErrorDetails.RecommendedAction);
        Assert.Equal(0, Emulator.Count("creates"));
    }

    [Fact]
    public void A_create_answered_404_names_the_address_and_says_to_check_BaseUri()
    {
        Run("param($Url, $Key) Connect-Hailuo -Provider CoreToday -BaseUri $Url -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -NoPersist",
            new { Url = Emulator.Url + "/coretoday/v2", Key = EmulatorHost.Key }).AssertNoErrors();

        var result = Run("try { New-HailuoVideo 'A lighthouse' } catch { $_ }");

        var caught = Assert.Single(result.Objects<ErrorRecord>());
        Assert.Contains(Emulator.Url + "/coretoday/v2/predictions", caught.Exception.Message);
        Assert.DoesNotContain("without saying why", caught.Exception.Message);
        Assert.Contains("-BaseUri", caught.ErrorDetails.RecommendedAction);
        Assert.DoesNotContain("job id", caught.ErrorDetails.RecommendedAction);
    }

    protected override void ConfigureEmulator(Hailuo.Emulator.EmulatorOptions options) => options.ApiKey = EmulatorHost.Key;

    [Fact]
    public void A_malformed_template_with_Wait_is_one_terminating_error_before_anything_is_sent()
    {
        WriteCsv("rows.csv", "prompt", "A first row", "A second row", "A third row");
        Connect();

        var result = Run("try { Import-Csv rows.csv | New-HailuoVideo -Wait -Path ./videos -FileNameTemplate '{nope' } catch { $_ }");

        var caught = Assert.Single(result.Objects<ErrorRecord>());
        Assert.Empty(result.Errors);
        Assert.Contains("-FileNameTemplate", caught.ErrorDetails.RecommendedAction);
        Assert.Equal(0, Emulator.Count("createRequests"));
    }

    [Fact]
    public void A_connection_saved_with_ApiKey_says_in_a_new_session_that_it_holds_no_key()
    {
        Run("param($Url, $Key) Connect-Hailuo -Provider CoreToday -BaseUri $Url -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force)",
            new { Url = Emulator.BaseUri(), Key = EmulatorHost.Key }).AssertNoErrors();

        using var later = ModuleRunspace.Open(Home.Work);
        var connection = later.Run("Get-HailuoConnection").AssertNoErrors().Output.Single();
        var result = later.Run("try { New-HailuoVideo 'A lighthouse' } catch { $_ }");

        Assert.Contains("Connect-Hailuo again", (string)connection.Properties["CredentialSource"].Value);
        var caught = Assert.Single(result.Objects<ErrorRecord>());
        Assert.Contains("Connect-Hailuo", caught.ErrorDetails.RecommendedAction);
        Assert.DoesNotContain("Row 1", caught.Exception.Message);
        Assert.Equal(0, Emulator.Count("createRequests"));
    }
}
