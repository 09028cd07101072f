using System.Management.Automation;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Cmdlets;

/// <summary>Connect-Hailuo's three sets (Environment, the default; ApiKey; SecretManagement), Get-HailuoConnection and Disconnect-Hailuo.</summary>
public sealed class ConnectHailuoTests : RunspaceTest
{
    private const string ConnectWithKey =
        "param($Url, $Key) Connect-Hailuo -BaseUri $Url -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -NoPersist -PassThru";

    [Fact]
    public void ApiKey_connects_this_session_and_PassThru_shows_the_connection_without_the_key()
    {
        var result = Run(ConnectWithKey, new { Url = Emulator.BaseUri(), Key = EmulatorHost.Key }).AssertNoErrors();

        var connection = Assert.Single(result.Output);
        Assert.Equal("Hailuo.PowerShell.HailuoConnectionInfo", connection.BaseObject.GetType().FullName);
        Assert.Equal("CoreToday", connection.Text("Provider"));
        Assert.Equal(new Uri(Emulator.BaseUri()), connection.Property("BaseUri"));
        Assert.Equal("-ApiKey", connection.Text("CredentialSource"));
        Assert.False(string.IsNullOrEmpty(connection.Text("Account")));
        var shown = Run("Get-HailuoConnection | Format-List * | Out-String").AssertNoErrors();
        Assert.DoesNotContain(EmulatorHost.Key, result.AllText() + shown.AllText(), StringComparison.Ordinal);
        Assert.Single(Run("New-HailuoVideo -Prompt 'A kite over a hill'").AssertNoErrors().Output);
    }

    [Fact]
    public void The_provider_is_the_first_position()
    {
        var result = Run("param($Url, $Key) Connect-Hailuo MiniMax -BaseUri $Url -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -NoPersist -MiniMaxMainland -PassThru",
            new { Url = Emulator.BaseUri("MiniMax"), Key = EmulatorHost.Key }).AssertNoErrors();

        var connection = Assert.Single(result.Output);
        Assert.Equal("MiniMax", connection.Text("Provider"));
        Assert.Equal(true, connection.Property("MiniMaxMainland"));
    }

    [Theory]
    [InlineData("CoreToday", "", "https://api.core.today/v1", 90, "core.today")]
    [InlineData("Cloudflare", "", "https://api.cloudflare.com/client/v4", 450, "Cloudflare Workers AI")]
    [InlineData("Replicate", "", "https://api.replicate.com/v1", 900, "Replicate")]
    [InlineData("MiniMax", "", "https://api.minimax.io/v1", 8, "MiniMax")]
    [InlineData("MiniMax", "-MiniMaxMainland", "https://api.minimaxi.com/v1", 8, "MiniMax")]
    [InlineData("core.today", "-MiniMaxMainland", "https://api.core.today/v1", 90, "core.today")]
    [InlineData("Workers AI", "", "https://api.cloudflare.com/client/v4", 450, "Cloudflare Workers AI")]
    public void Without_BaseUri_the_connection_shows_the_providers_own_endpoint_and_jobs_in_flight(string provider, string mainland, string endpoint, int throttle, string named)
    {
        // Connecting sends nothing: the public endpoint is only shown, never called.
        var result = Run($"param($Provider, $Key) Connect-Hailuo -Provider $Provider -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -CloudflareAccountId acc-test {mainland} -NoPersist -PassThru -Verbose",
            new { Provider = provider, Key = EmulatorHost.Key }).AssertNoErrors();

        var connection = Assert.Single(result.Output);
        Assert.Equal(new Uri(endpoint), connection.Property("BaseUri"));
        Assert.Equal(throttle, (int)connection.Property("ThrottleLimit")!);
        Assert.Contains(result.Verbose, line => line.Message.StartsWith($"Connected to {named} at {endpoint} ", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_ApiKey_or_Vault_the_key_comes_from_the_environment()
    {
        var saved = Environment.GetEnvironmentVariable("HAILUO_API_KEY");
        Environment.SetEnvironmentVariable("HAILUO_API_KEY", EmulatorHost.Key);
        try
        {
            Run("param($Url) Connect-Hailuo -BaseUri $Url -NoPersist", new { Url = Emulator.BaseUri() }).AssertNoErrors();

            var job = Assert.Single(Run("New-HailuoVideo -Prompt 'A kite over a hill'").AssertNoErrors().Output);

            Assert.Equal("CoreToday", job.Text("Provider"));
            Assert.Equal(1, Emulator.Count("creates"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("HAILUO_API_KEY", saved);
        }
    }

    [Fact]
    public void Vault_without_SecretName_is_a_missing_mandatory_parameter()
    {
        var result = Run("Connect-Hailuo -Vault MyVault");

        var error = result.SingleError();
        Assert.Equal("MissingMandatoryParameter,Hailuo.PowerShell.Commands.ConnectHailuoCommand", error.FullyQualifiedErrorId);
        Assert.Contains("SecretName", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApiKey_and_Vault_together_name_no_parameter_set()
    {
        var result = Run("param($Key) Connect-Hailuo -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -Vault MyVault -SecretName CoreTodayKey", new { Key = EmulatorHost.Key });

        var error = result.SingleError();
        Assert.Equal("AmbiguousParameterSet,Hailuo.PowerShell.Commands.ConnectHailuoCommand", error.FullyQualifiedErrorId);
    }

    [Fact]
    public void Disconnect_forgets_the_key()
    {
        Connect();

        Run("Disconnect-Hailuo").AssertNoErrors();

        var connection = Assert.Single(Run("Get-HailuoConnection").AssertNoErrors().Output);
        Assert.Null(connection.Property("Account"));
        Assert.NotEqual("-ApiKey", connection.Text("CredentialSource"));
        var refused = Run("New-HailuoVideo -Prompt 'A kite over a hill'");
        Assert.Empty(refused.Output);
        Assert.Equal(0, Emulator.Count("createRequests"));
    }

    [Fact]
    public void Without_NoPersist_the_settings_are_saved_for_the_next_session_but_the_key_is_not()
    {
        Run("param($Url, $Key) Connect-Hailuo -BaseUri $Url -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force)",
            new { Url = Emulator.BaseUri(), Key = EmulatorHost.Key }).AssertNoErrors();

        var saved = Directory.EnumerateFiles(Home.Data, "*", SearchOption.AllDirectories).Select(File.ReadAllText).ToList();
        Assert.Contains(saved, text => text.Contains(Emulator.BaseUri(), StringComparison.Ordinal));
        Assert.DoesNotContain(saved, text => text.Contains(EmulatorHost.Key, StringComparison.Ordinal));
    }

    [Fact]
    public void A_BaseUri_that_is_not_a_url_is_an_invalid_argument_that_says_what_to_give()
    {
        var result = Run("param($Key) Connect-Hailuo -BaseUri 'not a url' -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -NoPersist", new { Key = EmulatorHost.Key });

        var error = result.SingleError();
        Assert.Equal("Hailuo.Validation,Hailuo.PowerShell.Commands.ConnectHailuoCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("-BaseUri 'not a url' is not an absolute URL", error.Exception.Message, StringComparison.Ordinal);
    }
}
