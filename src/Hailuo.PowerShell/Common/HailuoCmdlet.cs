using System;
using System.Management.Automation;
using System.Net;
using System.Threading;
using Hailuo.Commands;
using Hailuo.Credentials;
using Hailuo.Models;

namespace Hailuo.PowerShell.Common;

/// <summary>
/// What every Hailuo cmdlet shares: one CancellationTokenSource that StopProcessing cancels, the
/// session, and turning engine failures into error records. Engine logic is held as IDisposable so
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
    /// Runs engine work on the pipeline thread: a stop becomes PipelineStoppedException, and an engine
    /// failure a terminating error with its category and recommended action.
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

    /// <summary>
    /// In a new PowerShell session, a connection persisted with SecretManagement is reconnected by
    /// reading the secret again; keys themselves are never persisted.
    /// </summary>
    protected void EnsureConnected()
    {
        var session = RunspaceSession.Current;
        var settings = session.Settings;
        if (session.IsConnected || settings.CredentialOrigin != CredentialOrigin.SecretManagement || settings.Vault is null || settings.SecretName is null)
        {
            return;
        }
        session.Connect(settings, new HailuoCredential(ReadSecret(settings.Vault, settings.SecretName), $"SecretManagement vault {settings.Vault}, secret {settings.SecretName}"));
    }

    /// <summary>Gets a key from SecretManagement, with a clear error when the module is not installed.</summary>
    private protected string ReadSecret(string vault, string name)
    {
        if (InvokeCommand.GetCommand("Get-Secret", CommandTypes.Cmdlet | CommandTypes.Function) is null)
        {
            const string missing = "SecretManagement is not installed, so the key cannot be read from vault '{0}'. " +
                "Install it with Install-Module Microsoft.PowerShell.SecretManagement, Microsoft.PowerShell.SecretStore -Scope CurrentUser, " +
                "or connect with -ApiKey or an environment variable instead.";
            var message = string.Format(System.Globalization.CultureInfo.InvariantCulture, missing, vault);
            ThrowTerminatingError(new ErrorRecord(
                new HailuoCommandException(message, "Authentication", null),
                "Hailuo.SecretManagementMissing", ErrorCategory.NotInstalled, vault)
            {
                ErrorDetails = new ErrorDetails(message)
                {
                    RecommendedAction = "Install-Module Microsoft.PowerShell.SecretManagement, Microsoft.PowerShell.SecretStore -Scope CurrentUser; or use Connect-Hailuo -ApiKey, or an environment variable.",
                },
            });
        }
        var results = InvokeCommand.InvokeScript(
            "param($Vault, $Name) Get-Secret -Vault $Vault -Name $Name -ErrorAction Stop",
            false, System.Management.Automation.Runspaces.PipelineResultTypes.None, null, vault, name);
        var secret = results.Count > 0 ? results[0]?.BaseObject : null;
        var plain = secret switch
        {
            System.Security.SecureString secure => new NetworkCredential(string.Empty, secure).Password,
            PSCredential credential => credential.GetNetworkCredential().Password,
            string text => text,
            _ => null,
        };
        if (string.IsNullOrEmpty(plain))
        {
            ThrowTerminatingError(new ErrorRecord(
                new HailuoCommandException($"Secret '{name}' in vault '{vault}' is empty or is not a string, SecureString or PSCredential.", "Authentication", null),
                "Hailuo.SecretUnreadable", ErrorCategory.InvalidData, name));
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
