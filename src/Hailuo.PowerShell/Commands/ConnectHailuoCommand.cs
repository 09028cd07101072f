using System;
using System.Management.Automation;
using System.Net;
using System.Security;
using Hailuo.Connection;
using Hailuo.Credentials;
using Hailuo.Models;
using Hailuo.PowerShell.Common;
using Hailuo.PowerShell.Completion;

namespace Hailuo.PowerShell.Commands;

/// <summary>Chooses the provider and where its key comes from: SecretManagement, a SecureString, or the environment.</summary>
[Cmdlet(VerbsCommunications.Connect, "Hailuo", DefaultParameterSetName = EnvironmentSet, HelpUri = HelpLinks.Base + "Connect-Hailuo.md")]
[OutputType(typeof(HailuoConnectionInfo))]
public sealed class ConnectHailuoCommand : HailuoCmdlet
{
    private const string EnvironmentSet = "Environment";
    private const string SecretSet = "SecretManagement";
    private const string ApiKeySet = "ApiKey";

    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(ProviderCompleter))]
    public string Provider { get; set; } = "CoreToday";

    [Parameter(Mandatory = true, ParameterSetName = SecretSet)]
    public string Vault { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = SecretSet)]
    public string SecretName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = ApiKeySet)]
    public SecureString? ApiKey { get; set; }

    /// <summary>The API root: the emulator (http://127.0.0.1:5080/coretoday/v1) or a gateway.</summary>
    [Parameter]
    public string? BaseUri { get; set; }

    [Parameter]
    public string? CloudflareAccountId { get; set; }

    [Parameter]
    public SwitchParameter MiniMaxMainland { get; set; }

    /// <summary>Jobs in flight at once on this connection; the provider's default when not given.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? ThrottleLimit { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Keep the settings for this session only.</summary>
    [Parameter]
    public SwitchParameter NoPersist { get; set; }

    protected override void EndProcessing() => RunConfiguration(() =>
    {
        var provider = HailuoConnection.ParseProvider(Provider);
        Uri? baseUri = null;
        if (BaseUri is { Length: > 0 } text && !Uri.TryCreate(text, UriKind.Absolute, out baseUri))
        {
            throw new HailuoException(new HailuoError(HailuoErrorKind.Validation, $"-BaseUri '{text}' is not an absolute URL such as https://api.core.today/v1.", "BaseUri"));
        }
        var settings = new ConnectionSettings
        {
            Provider = provider,
            BaseUri = baseUri,
            CloudflareAccountId = CloudflareAccountId,
            MiniMaxMainland = MiniMaxMainland,
            ThrottleLimit = ThrottleLimit,
            CredentialOrigin = ParameterSetName switch
            {
                SecretSet => CredentialOrigin.SecretManagement,
                ApiKeySet => CredentialOrigin.ApiKey,
                _ => CredentialOrigin.Environment,
            },
            Vault = ParameterSetName == SecretSet ? Vault : null,
            SecretName = ParameterSetName == SecretSet ? SecretName : null,
        };
        var credential = ParameterSetName switch
        {
            SecretSet => new HailuoCredential(ReadSecret(Vault, SecretName), $"SecretManagement vault {Vault}, secret {SecretName}"),
            ApiKeySet => new HailuoCredential(new NetworkCredential(string.Empty, ApiKey!).Password, "-ApiKey"),
            _ => null,
        };
        var connection = RunspaceConnection.Current;
        connection.Connect(settings, credential);
        // Making the client checks the URL and that a key exists, before anything is saved.
        var client = connection.GetClient();
        if (!NoPersist)
        {
            ConnectionStore.Save(settings);
        }
        Output().WriteVerbose($"Connected to {HailuoConnection.NameOf(provider)} at {client.Options.EffectiveBaseUri} (account {client.Account}).");
        if (PassThru)
        {
            WriteObject(ConnectionInfo.Current());
        }
    });
}
