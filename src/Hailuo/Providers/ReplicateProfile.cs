using System;
using System.Collections.Generic;
using Hailuo.Models;

namespace Hailuo.Providers;

/// <summary>Replicate's facts; its wire protocol is <see cref="ReplicateAdapter"/>.</summary>
internal sealed class ReplicateProfile : ProviderProfile
{
    // Documented: 600 creates a minute, 3000 other requests.
    private static readonly RateLimit Creates = RateLimit.PerMinute(600);
    private static readonly RateLimit Reads = RateLimit.PerMinute(3000);

    public override HailuoProvider Provider => HailuoProvider.Replicate;

    public override string DisplayName => "Replicate";

    public override Uri DefaultBaseUri { get; } = new("https://api.replicate.com/v1");

    public override string EmulatorPath => "/replicate/v1";

    public override int? CreditsPerVideo => null;

    public override string PriceWords => "priced per video by Replicate";

    public override RateLimit? CreateRateLimit => Creates;

    public override RateLimit ReadRateLimit => Reads;

    public override bool CanCancel => true;

    public override bool ListsCreatedJobs => true;

    public override bool ReportsStartTime => true;

    public override bool CreateWaitsForVideo(HailuoClientOptions options) => false;

    public override string CredentialVariable => "REPLICATE_API_TOKEN";

    public override IReadOnlyList<string> Models => HailuoModels.All;

    public override bool AcceptsFastPretreatment => false;

    internal override ProviderAdapter CreateAdapter(HailuoClientOptions options) => new ReplicateAdapter(options);
}
