using Hailuo.Connection;
using Hailuo.Credentials;
using Hailuo.Models;
using Hailuo.Reliability;

namespace Hailuo.TestLab;

/// <summary>Connections for the reliability suite, the hostile runner and the command tests alike: one way to connect to the emulator.</summary>
public static class EmulatorConnection
{
    /// <summary>A connection to one of the emulator's providers with a key, as Connect-Hailuo makes it, with its own ledger.</summary>
    /// <param name="cloudflareAccountId">Only Cloudflare needs one; null leaves it unset.</param>
    /// <param name="tune">Adjusts each client the connection makes, after the ledger is set.</param>
    public static HailuoConnection Connect(Uri emulator, HailuoProvider provider, HailuoCredential credential, string ledgerPath,
        string? cloudflareAccountId = null, Action<HailuoClientOptions>? tune = null)
    {
        var connection = new HailuoConnection(new StaticCredentialSource(credential), o =>
        {
            o.LedgerPath = ledgerPath;
            // The emulator lists a create the moment it has it: a stopped sender's create settles in a second.
            o.StoppedSenderSettleTime = TimeSpan.FromSeconds(1);
            tune?.Invoke(o);
        });
        // The connection copies the account id into every client's options.
        connection.Connect(new ConnectionSettings
        {
            Provider = provider,
            BaseUri = CmdletPipeline.EmulatorApiRoot(provider, emulator),
            CloudflareAccountId = cloudflareAccountId,
            CredentialOrigin = CredentialOrigin.ApiKey,
        }, credential);
        return connection;
    }
}
