using Hailuo.Commands;

namespace Hailuo.PowerShell.Common;

/// <summary>Builds the PowerShell-side view of the session's connection.</summary>
internal static class ConnectionInfo
{
    public static HailuoConnectionInfo Current()
    {
        var session = RunspaceSession.Current;
        var settings = session.Settings;
        return new HailuoConnectionInfo
        {
            Provider = settings.Provider.ToString(),
            BaseUri = settings.BaseUri ?? Hailuo.HailuoClientOptions.DefaultBaseUri(settings.Provider, settings.MiniMaxMainland),
            CredentialSource = session.Credential?.Source ?? settings.CredentialOrigin.ToString(),
            Vault = settings.Vault,
            SecretName = settings.SecretName,
            CloudflareAccountId = settings.CloudflareAccountId,
            MiniMaxMainland = settings.MiniMaxMainland,
            Account = session.Credential?.Fingerprint,
        };
    }
}
