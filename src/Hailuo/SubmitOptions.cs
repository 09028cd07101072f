using System.Collections.Generic;

namespace Hailuo;

/// <summary>Per-submission choices.</summary>
public sealed class SubmitOptions
{
    /// <summary>Submit even when the ledger already has this input (or an unknown outcome for it): pays again.</summary>
    public bool Force { get; set; }

    /// <summary>Data that rides along on the job and in the ledger, such as the CSV row.</summary>
    public IReadOnlyDictionary<string, string?>? Tag { get; set; }

    /// <summary>The input's row number, kept in the ledger so that later listings name files as the batch did.</summary>
    public long? Row { get; set; }

    /// <summary>
    /// This submit waits while the account has this many jobs in flight (New-HailuoVideo -ThrottleLimit); null uses
    /// <see cref="HailuoClientOptions.MaxJobsInFlight"/>. Jobs count once per account, whatever limit each submit brings.
    /// </summary>
    public int? MaxJobsInFlight { get; set; }

    /// <summary>Set by New-HailuoVideo, which validated the row (its image probed on disk) just before: not done twice.</summary>
    internal bool Validated { get; set; }

    /// <summary>Set with <see cref="HailuoClient.FindReusableAsync"/>'s hash, so that a local image is not read twice.</summary>
    internal string? InputHash { get; set; }
}
