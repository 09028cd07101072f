using Hailuo.Connection;
using Hailuo.Credentials;
using Hailuo.Providers;

namespace Hailuo.PowerShell.Common;

/// <summary>Builds the PowerShell-side view of the runspace's connection.</summary>
internal static class ConnectionInfo
{
    public static HailuoConnectionInfo Current()
    {
        var connection = RunspaceConnection.Current;
        var settings = connection.Settings;
        var profile = ProviderProfiles.For(settings.Provider);
        // Without a key of its own, the connection uses the environment's: say which variable, as the client will read it.
        var credential = connection.Credential
            ?? (settings.CredentialOrigin == CredentialOrigin.Environment ? connection.Environment.GetCredential(settings.Provider) : null);
        var source = credential?.Source ?? settings.CredentialOrigin switch
        {
            CredentialOrigin.Environment => $"environment variable {string.Join(" or ", EnvironmentCredentialSource.VariablesFor(settings.Provider))} (none is set)",
            CredentialOrigin.ApiKey => "-ApiKey, not held by this session (such keys are never saved): run Connect-Hailuo again",
            _ => settings.CredentialOrigin.ToString(),
        };
        return new HailuoConnectionInfo
        {
            Provider = settings.Provider.ToString(),
            BaseUri = settings.BaseUri ?? profile.BaseUriFor(settings.MiniMaxMainland),
            CredentialSource = source,
            Vault = settings.Vault,
            SecretName = settings.SecretName,
            CloudflareAccountId = settings.CloudflareAccountId,
            MiniMaxMainland = settings.MiniMaxMainland,
            ThrottleLimit = settings.ThrottleLimit ?? profile.DefaultMaxJobsInFlight,
            Account = credential?.Fingerprint,
        };
    }
}
