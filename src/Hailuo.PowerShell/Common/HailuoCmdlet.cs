using System;
using System.Management.Automation;
using System.Net;
using System.Threading;
using Hailuo.Connection;
using Hailuo.Credentials;
using Hailuo.Models;
using Hailuo.Pipeline;

namespace Hailuo.PowerShell.Common;

/// <summary>
/// What every Hailuo cmdlet shares: one CancellationTokenSource that StopProcessing cancels, the
/// runspace's connection, and turning engine failures into error records. Engine logic is held as IDisposable so
/// that no engine type appears in a cmdlet's fields or signatures.
/// </summary>
public abstract class HailuoCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private IDisposable? _logic;

    protected CancellationToken StopToken => _stopping.Token;

    /// <summary>Runs on another thread: it only cancels.</summary>
    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>The engine logic this invocation drives, made once.</summary>
    protected T Logic<T>(Func<T> create)
        where T : class, IDisposable
    {
        if (_logic is not T logic)
        {
            logic = create();
            _logic = logic;
        }
        return logic;
    }

    // Typed object: a field of an engine type would make loading the cmdlet type load the engine,
    // before the module initializer has set up its load context.
    private object? _output;

    private protected ICommandOutput Output() => (ICommandOutput)(_output ??= CmdletOutput.For(this));

    /// <summary>
    /// Runs engine work on the pipeline thread: a stop becomes PipelineStoppedException, and an engine failure an
    /// error record with its category and recommended action: terminating when it is the connection's, not a row's.
    /// </summary>
    protected void Run(Action action)
    {
        try
        {
            action();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (HailuoException e)
        {
            Output().WriteError(new CommandError(e.Error, null));
        }
    }

    /// <summary>Runs work whose every failure is the configuration's (Connect-Hailuo's): a terminating error.</summary>
    protected void RunConfiguration(Action action)
    {
        try
        {
            action();
        }
        catch (HailuoException e)
        {
            ThrowTerminatingError(CmdletOutput.ToErrorRecord(new CommandError(e.Error, null)));
        }
    }

    /// <summary>
    /// Ends the command with an error about its configuration (the connection, a secret, an argument): terminating,
    /// so try/catch catches it, and never one identical error per row.
    /// </summary>
    private protected void ThrowConfigurationError(string message, string errorId, ErrorCategory category, string recommendedAction, object? target = null) =>
        ThrowTerminatingError(new ErrorRecord(new HailuoCommandException(message, "Configuration", null), errorId, category, target)
        {
            ErrorDetails = new ErrorDetails(message) { RecommendedAction = recommendedAction },
        });

    /// <summary>
    /// In a new PowerShell session, a connection persisted with SecretManagement is reconnected by
    /// reading the secret again; keys themselves are never persisted.
    /// </summary>
    protected void EnsureConnected()
    {
        var connection = RunspaceConnection.Current;
        var settings = connection.Settings;
        if (connection.IsConnected || settings.CredentialOrigin != CredentialOrigin.SecretManagement || settings.Vault is null || settings.SecretName is null)
        {
            return;
        }
        connection.Connect(settings, new HailuoCredential(ReadSecret(settings.Vault, settings.SecretName), $"SecretManagement vault {settings.Vault}, secret {settings.SecretName}"));
    }

    /// <summary>Gets a key from SecretManagement; every way that fails is one clear terminating error.</summary>
    private protected string ReadSecret(string vault, string name)
    {
        const string connectOtherwise = "or run Connect-Hailuo with -ApiKey, or with an environment variable such as HAILUO_API_KEY set.";
        if (InvokeCommand.GetCommand("Get-Secret", CommandTypes.Cmdlet | CommandTypes.Function) is null)
        {
            ThrowConfigurationError(
                $"SecretManagement is not installed, so the key cannot be read from vault '{vault}'. Install it with Install-Module Microsoft.PowerShell.SecretManagement, Microsoft.PowerShell.SecretStore -Scope CurrentUser, " + connectOtherwise,
                "Hailuo.SecretManagementMissing", ErrorCategory.NotInstalled,
                "Install-Module Microsoft.PowerShell.SecretManagement, Microsoft.PowerShell.SecretStore -Scope CurrentUser; " + connectOtherwise, vault);
        }
        object? secret = null;
        try
        {
            var results = InvokeCommand.InvokeScript(
                "param($Vault, $Name) $ErrorActionPreference = 'Stop'; Get-Secret -Vault $Vault -Name $Name -ErrorAction Stop",
                true, System.Management.Automation.Runspaces.PipelineResultTypes.None, null, vault, name);
            secret = results.Count > 0 ? results[0]?.BaseObject : null;
        }
        catch (Exception e) when (e is RuntimeException or InvalidOperationException)
        {
            // Get-Secret's own words (secret not found, vault not registered or locked), under this module's error.
            var why = (e as RuntimeException)?.ErrorRecord?.Exception?.Message ?? e.Message;
            ThrowConfigurationError(
                $"The key could not be read from SecretManagement: vault '{vault}', secret '{name}': {why}",
                "Hailuo.SecretUnreadable", ErrorCategory.ObjectNotFound,
                $"Check that vault '{vault}' is registered and unlocked (Get-SecretVault, Unlock-SecretStore) and holds '{name}' (Get-SecretInfo -Vault {vault}); store the key with Set-Secret -Vault {vault} -Name {name}, " + connectOtherwise,
                name);
        }
        var plain = secret switch
        {
            System.Security.SecureString secure => new NetworkCredential(string.Empty, secure).Password,
            PSCredential credential => credential.GetNetworkCredential().Password,
            string text => text,
            _ => null,
        };
        if (string.IsNullOrEmpty(plain))
        {
            ThrowConfigurationError(
                $"Secret '{name}' in vault '{vault}' is empty or is not a string, SecureString or PSCredential, so it holds no API key.",
                "Hailuo.SecretUnreadable", ErrorCategory.InvalidData,
                $"Store the key as a string or SecureString: Set-Secret -Vault {vault} -Name {name}; " + connectOtherwise, name);
        }
        return plain!;
    }

    public void Dispose()
    {
        _logic?.Dispose();
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
