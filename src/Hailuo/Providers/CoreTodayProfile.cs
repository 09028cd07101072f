using System;
using System.Collections.Generic;
using Hailuo.Models;

namespace Hailuo.Providers;

/// <summary>core.today's facts; its wire protocol is <see cref="CoreTodayAdapter"/>.</summary>
internal sealed class CoreTodayProfile : ProviderProfile
{
    private static readonly RateLimit Creates = RateLimit.PerMinute(60);
    private static readonly RateLimit Reads = RateLimit.PerMinute(600);

    public override HailuoProvider Provider => HailuoProvider.CoreToday;

    public override string DisplayName => "core.today";

    public override Uri DefaultBaseUri { get; } = new("https://api.core.today/v1");

    public override string EmulatorPath => "/coretoday/v1";

    public override int? CreditsPerVideo => 420;

    public override string PriceWords => "420 credits";

    public override RateLimit? CreateRateLimit => Creates;

    public override RateLimit ReadRateLimit => Reads;

    public override bool CanCancel => true;

    public override bool ListsCreatedJobs => false;

    public override bool ReportsStartTime => true;

    public override bool CreateWaitsForVideo(HailuoClientOptions options) => false;

    public override string CredentialVariable => "CORE_TODAY_API_KEY";

    public override IReadOnlyList<string> Models => HailuoModels.All;

    public override bool AcceptsFastPretreatment => false;

    internal override ProviderAdapter CreateAdapter(HailuoClientOptions options) => new CoreTodayAdapter(options);
}
