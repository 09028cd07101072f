using System;
using System.Collections.Generic;
using Hailuo.Credentials;
using Hailuo.Models;

namespace Hailuo.Providers;

/// <summary>Cloudflare Workers AI's facts; its wire protocol is <see cref="CloudflareAdapter"/>.</summary>
internal sealed class CloudflareProfile : ProviderProfile
{
    // Documented: one limit of 300 requests a minute, creates included.
    private static readonly RateLimit Requests = RateLimit.PerMinute(300);

    private static readonly string[] Standard = { HailuoModels.Standard };

    private static readonly string[] Aliases = { "Workers AI" };

    public override HailuoProvider Provider => HailuoProvider.Cloudflare;

    public override string DisplayName => "Cloudflare Workers AI";

    public override IReadOnlyList<string> OtherNames => Aliases;

    public override Uri DefaultBaseUri { get; } = new("https://api.cloudflare.com/client/v4");

    public override string EmulatorPath => "/cloudflare/client/v4";

    public override int? CreditsPerVideo => null;

    public override string PriceWords => "priced in neurons by Cloudflare";

    public override RateLimit? CreateRateLimit => null;

    public override RateLimit ReadRateLimit => Requests;

    public override bool CanCancel => false;

    public override bool ListsCreatedJobs => false;

    public override bool ReportsStartTime => false;

    /// <summary>The documented run holds until the video is ready; the Batch API (<see cref="HailuoClientOptions.CloudflareBatch"/>) answers at once.</summary>
    public override bool CreateWaitsForVideo(HailuoClientOptions options) => !options.CloudflareBatch;

    public override string CredentialVariable => "CLOUDFLARE_API_TOKEN";

    public override IReadOnlyList<string> Models => Standard;

    public override bool AcceptsFastPretreatment => true;

    public override HailuoError? CheckOptions(HailuoClientOptions options) =>
        string.IsNullOrWhiteSpace(options.CloudflareAccountId)
            ? new HailuoError(HailuoErrorKind.Validation,
                $"{DisplayName} needs an account id: none was given, and {EnvironmentCredentialSource.CloudflareAccountVariable} is not set.", "CloudflareAccountId")
            : null;

    internal override ProviderAdapter CreateAdapter(HailuoClientOptions options) => new CloudflareAdapter(options);
}
