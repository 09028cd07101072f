using System.Management.Automation;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Cmdlets;

/// <summary>
/// Configuration errors are terminating and clear. Where a vault is needed, the runspace gets a Get-Secret as
/// SecretManagement's front answers (a secret, or its "not found" error); the vault code path itself is real.
/// </summary>
public sealed class ConnectHailuoErrorsTests : RunspaceTest
{
    private const string VaultFront = """
        function global:Get-Secret {
            [CmdletBinding()]
            param([string] $Vault, [string] $Name)
            if ($global:HailuoTestSecrets.ContainsKey($Name)) { return ConvertTo-SecureString $global:HailuoTestSecrets[$Name] -AsPlainText -Force }
            Write-Error "Get-Secret : The secret $Name was not found." -Category ObjectNotFound -ErrorId 'GetSecretNotFound'
        }
        """;

    [Fact]
    public void A_base_uri_that_is_not_a_url_is_caught_by_try_catch()
    {
        var result = Run("try { Connect-Hailuo -BaseUri 'not a uri' -ApiKey (ConvertTo-SecureString 'k-123456' -AsPlainText -Force) -NoPersist; 'connected' } catch { 'caught: ' + $_.Exception.Message }");

        Assert.StartsWith("caught: -BaseUri 'not a uri' is not an absolute URL", Assert.Single(result.Output).ToString());
    }

    [Fact]
    public void A_missing_vault_secret_is_one_clear_error_and_the_script_goes_on()
    {
        Run(VaultFront + "\n$global:HailuoTestSecrets = @{}").AssertNoErrors();

        var result = Run("""
            Connect-Hailuo -Provider CoreToday -Vault TestVault -SecretName NoSuchKey -NoPersist
            'the next statement ran'
            try { Connect-Hailuo -Provider CoreToday -Vault TestVault -SecretName NoSuchKey -NoPersist } catch { $_ }
            """);

        Assert.Equal("the next statement ran", result.Output[0].ToString());
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("Hailuo.SecretUnreadable", error.FullyQualifiedErrorId);
        Assert.Contains("NoSuchKey", error.Exception.Message);
        Assert.Contains("Set-Secret", error.ErrorDetails.RecommendedAction);
        Assert.StartsWith("Hailuo.SecretUnreadable", Assert.Single(result.Objects<ErrorRecord>()).FullyQualifiedErrorId);
    }

    [Fact]
    public void Listing_jobs_needs_no_key_even_when_the_saved_vault_connection_lost_its_secret()
    {
        Run(VaultFront + "\n$global:HailuoTestSecrets = @{ CoreTodayKey = '" + EmulatorHost.Key + "' }").AssertNoErrors();
        Run("param($Url) Connect-Hailuo -Provider CoreToday -BaseUri $Url -Vault TestVault -SecretName CoreTodayKey", new { Url = Emulator.BaseUri() }).AssertNoErrors();
        Run("New-HailuoVideo 'A first video' | Wait-HailuoJob").AssertNoErrors();
        // A later PowerShell session finds the saved connection, but none of this session's state.
        var saved = File.ReadAllText(Path.Combine(Home.Data, "connection.json"));
        Run("Disconnect-Hailuo").AssertNoErrors();
        File.WriteAllText(Path.Combine(Home.Data, "connection.json"), saved);

        using var later = ModuleRunspace.Open(Home.Work);
        later.Run(VaultFront + "\n$global:HailuoTestSecrets = @{}").AssertNoErrors();
        var listed = later.Run("Get-HailuoJob").AssertNoErrors();

        Assert.Equal("A first video", Assert.Single(listed.Output).Properties["Prompt"].Value);
    }

    [Fact]
    public void The_connection_names_the_environment_variable_that_holds_the_key()
    {
        Environment.SetEnvironmentVariable("CORE_TODAY_API_KEY", "env-key-1234567890");
        try
        {
            var result = Run("param($Url) Connect-Hailuo -Provider CoreToday -BaseUri $Url -NoPersist -PassThru", new { Url = Emulator.BaseUri() }).AssertNoErrors();

            Assert.Equal("environment variable CORE_TODAY_API_KEY", Assert.Single(result.Output).Properties["CredentialSource"].Value);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CORE_TODAY_API_KEY", null);
        }
    }
}
