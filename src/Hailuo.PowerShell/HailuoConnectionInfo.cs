using System;

namespace Hailuo.PowerShell;

/// <summary>How the session reaches its provider, as Connect-Hailuo and Get-HailuoConnection show it. Never holds the key.</summary>
public sealed class HailuoConnectionInfo
{
    /// <summary>CoreToday, Cloudflare, Replicate or MiniMax.</summary>
    public string? Provider { get; set; }

    /// <summary>The API root in use; empty for the provider's public endpoint.</summary>
    public Uri? BaseUri { get; set; }

    /// <summary>Where the key comes from: the vault and secret, -ApiKey, or the environment variable that holds it.</summary>
    public string? CredentialSource { get; set; }

    /// <summary>The SecretManagement vault, when the key comes from one.</summary>
    public string? Vault { get; set; }

    /// <summary>The secret's name in <see cref="Vault"/>.</summary>
    public string? SecretName { get; set; }

    /// <summary>Cloudflare only: the account that runs Workers AI.</summary>
    public string? CloudflareAccountId { get; set; }

    /// <summary>MiniMax only: the mainland host instead of the global one.</summary>
    public bool MiniMaxMainland { get; set; }

    /// <summary>Jobs in flight at once: Connect-Hailuo's -ThrottleLimit, else the provider's default from its documented limits.</summary>
    public int ThrottleLimit { get; set; }

    /// <summary>A short fingerprint of the key that tells accounts apart; never the key itself.</summary>
    public string? Account { get; set; }

    public override string ToString() => CredentialSource is null ? Provider ?? "" : $"{Provider} ({CredentialSource})";
}
