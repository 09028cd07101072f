using System;
using Hailuo.Models;
using Hailuo.Providers;

namespace Hailuo.Connection;

/// <summary>How credentials were given to Connect-Hailuo.</summary>
public enum CredentialOrigin
{
    Environment,
    ApiKey,
    SecretManagement,
}

/// <summary>
/// What Connect-Hailuo remembers. Never a key: only where to find one, so it may be persisted per user.
/// </summary>
public sealed class ConnectionSettings
{
    public HailuoProvider Provider { get; set; } = HailuoProvider.CoreToday;

    public Uri? BaseUri { get; set; }

    public string? CloudflareAccountId { get; set; }

    public bool MiniMaxMainland { get; set; }

    public CredentialOrigin CredentialOrigin { get; set; } = CredentialOrigin.Environment;

    public string? Vault { get; set; }

    public string? SecretName { get; set; }

    /// <summary>
    /// Jobs in flight at once on this connection (Connect-Hailuo -ThrottleLimit); null: the provider's default
    /// (<see cref="ProviderProfile.DefaultMaxJobsInFlight"/>). New-HailuoVideo -ThrottleLimit overrides it for one command.
    /// </summary>
    public int? ThrottleLimit { get; set; }
}
