using System.Management.Automation;
using Hailuo.Emulator;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Output;

/// <summary>
/// The ErrorRecords users catch, filter and log: the id, the category, the object the error is about, what to do, and
/// whether the rest goes on. A bad row is non-terminating: try/catch does not see it and the batch carries on.
/// </summary>
public sealed class ErrorRecordTests : RunspaceTest
{
    private const string NewVideo = "Hailuo.PowerShell.Commands.NewHailuoVideoCommand";

    /// <summary>Two videos' worth of credits, and only the test's key: a third create is refused, and so is a wrong key.</summary>
    protected override void ConfigureEmulator(EmulatorOptions options)
    {
        options.Credits = 840;
        options.ApiKey = EmulatorHost.Key;
    }

    [Fact]
    public void A_row_with_a_bad_resolution_is_a_non_terminating_error_that_names_the_row_and_the_batch_goes_on()
    {
        WriteCsv("rows.csv", "prompt,resolution,scene", ["A lighthouse in a storm,768p,1", "A paper boat in a gutter,4k,2", "A chef slicing sushi,,3"]);
        Connect();

        var result = Run("try { Import-Csv rows.csv | New-HailuoVideo; 'went on' } catch { 'caught' }");

        Assert.Equal("went on", result.Output[^1].BaseObject);
        Assert.Equal(["1", "3"], result.Output.SkipLast(1).Select(job => job.Text("scene")).Order());
        Assert.NotEmpty(result.Errors);
        Assert.All(result.Errors, error =>
        {
            Assert.Equal($"Hailuo.Validation,{NewVideo}", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Equal("2", ((PSObject)error.TargetObject).Text("scene"));
            Assert.StartsWith("Row 2: ", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("Resolution '4k' is not available; use 768p or 1080p.", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("Nothing was sent for this row.", error.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(error.Exception.Message, error.ErrorDetails.Message);
            Assert.False(string.IsNullOrWhiteSpace(error.ErrorDetails.RecommendedAction));
            Assert.Equal("Validation", error.Exception.GetType().GetProperty("Kind")!.GetValue(error.Exception));
        });
        Assert.Equal(2, Emulator.Count("createRequests"));
    }

    [Fact]
    public void A_create_refused_for_credits_is_a_quota_error_about_its_row_and_the_other_rows_are_still_tried()
    {
        WriteCsv("rows.csv", "prompt,scene", ["A lighthouse in a storm,1", "A paper boat in a gutter,2", "A chef slicing sushi,3"]);
        Connect();

        var result = Run("Import-Csv rows.csv | New-HailuoVideo");

        Assert.Null(result.Terminating);
        Assert.Equal(2, result.Output.Count);
        var refused = Assert.Single(result.Errors.Select(error => ((PSObject)error.TargetObject).Text("scene")).Distinct());
        Assert.DoesNotContain(refused, result.Output.Select(job => job.Text("scene")));
        Assert.All(result.Errors, error =>
        {
            Assert.Equal($"Hailuo.InsufficientCredits,{NewVideo}", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.QuotaExceeded, error.CategoryInfo.Category);
            Assert.StartsWith($"Row {refused}: ", error.Exception.Message, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(error.ErrorDetails.RecommendedAction));
        });
        Assert.Equal(3, Emulator.Count("createRequests"));
    }

    [Fact]
    public void A_wrong_key_is_an_authentication_error_that_never_shows_the_key()
    {
        const string wrongKey = "wrong-key-3c5e7a9b1d2f";
        Connect(key: wrongKey);

        var result = Run("New-HailuoVideo -Prompt 'A lighthouse in a storm'");

        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors.Select(e => e.FullyQualifiedErrorId).Distinct());
        Assert.Equal($"Hailuo.Authentication,{NewVideo}", error);
        Assert.All(result.Errors, e => Assert.Equal(ErrorCategory.AuthenticationError, e.CategoryInfo.Category));
        Assert.All(result.Errors, e => Assert.Contains("Connect-Hailuo", e.ErrorDetails.RecommendedAction, StringComparison.Ordinal));
        Assert.DoesNotContain(wrongKey, result.AllText(), StringComparison.Ordinal);
        Assert.DoesNotContain(wrongKey[..12], result.AllText(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_job_id_is_an_object_not_found_error_about_that_id()
    {
        Connect();

        var result = Run("try { Get-HailuoJob -Id job_doesnotexist, job_neither; 'went on' } catch { 'caught' }");

        Assert.Equal(["went on"], result.Output.Select(o => o.BaseObject));
        Assert.Equal(["job_doesnotexist", "job_neither"], result.Errors.Select(e => e.TargetObject));
        Assert.All(result.Errors, error =>
        {
            Assert.Equal("Hailuo.NotFound,Hailuo.PowerShell.Commands.GetHailuoJobCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Contains((string)error.TargetObject, error.Exception.Message, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(error.ErrorDetails.RecommendedAction));
        });
    }

    [Fact]
    public void A_vault_without_SecretManagement_is_a_terminating_error_that_says_what_to_install()
    {
        // Without auto-loading, Get-Secret is not found whatever is installed on this computer.
        var result = Run("""
            $PSModuleAutoLoadingPreference = 'None'
            try { Connect-Hailuo -Vault MyVault -SecretName CoreTodayKey -NoPersist; 'went on' } catch { $_ }
            """);

        var error = Assert.IsType<ErrorRecord>(Assert.Single(result.Output).BaseObject);
        Assert.Equal("Hailuo.SecretManagementMissing,Hailuo.PowerShell.Commands.ConnectHailuoCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.NotInstalled, error.CategoryInfo.Category);
        Assert.Equal("MyVault", error.TargetObject);
        Assert.Contains("Install-Module Microsoft.PowerShell.SecretManagement", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        Assert.Contains("vault 'MyVault'", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connecting_with_no_key_anywhere_says_where_to_put_one()
    {
        var saved = new[] { "HAILUO_API_KEY", "CORE_TODAY_API_KEY" }.ToDictionary(name => name, Environment.GetEnvironmentVariable);
        foreach (var name in saved.Keys)
        {
            Environment.SetEnvironmentVariable(name, null);
        }
        try
        {
            var result = Run("param($Url) Connect-Hailuo -BaseUri $Url -NoPersist", new { Url = Emulator.BaseUri() });

            var error = result.SingleError();
            Assert.Equal("Hailuo.Authentication,Hailuo.PowerShell.Commands.ConnectHailuoCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
            Assert.Contains("CORE_TODAY_API_KEY", error.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(0, Emulator.Count("requests"));
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
