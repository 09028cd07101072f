using System;
using System.Collections.Generic;
using Hailuo.Models;

namespace Hailuo.Providers;

/// <summary>MiniMax's facts; its wire protocol is <see cref="MiniMaxAdapter"/>.</summary>
internal sealed class MiniMaxProfile : ProviderProfile
{
    // Documented: 5 video requests a minute.
    private static readonly RateLimit Creates = RateLimit.PerMinute(5);
    private static readonly RateLimit Reads = RateLimit.PerMinute(300);

    public override HailuoProvider Provider => HailuoProvider.MiniMax;

    public override string DisplayName => "MiniMax";

    public override Uri DefaultBaseUri { get; } = new("https://api.minimax.io/v1");

    public override Uri? MainlandBaseUri { get; } = new("https://api.minimaxi.com/v1");

    public override string EmulatorPath => "/minimax/v1";

    public override int? CreditsPerVideo => null;

    public override string PriceWords => "priced per video by MiniMax";

    public override RateLimit? CreateRateLimit => Creates;

    public override RateLimit ReadRateLimit => Reads;

    public override bool CanCancel => false;

    public override bool ListsCreatedJobs => false;

    public override bool ReportsStartTime => false;

    public override bool CreateWaitsForVideo(HailuoClientOptions options) => false;

    public override string CredentialVariable => "MINIMAX_API_KEY";

    public override IReadOnlyList<string> Models => HailuoModels.All;

    public override bool AcceptsFastPretreatment => true;

    internal override ProviderAdapter CreateAdapter(HailuoClientOptions options) => new MiniMaxAdapter(options);
}
