using Hailuo.Connection;
using Hailuo.Credentials;
using Hailuo.Emulator;
using Hailuo.Models;
using Hailuo.Providers;
using Hailuo.Reliability;
using Hailuo.Tests.Engine.Client;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Engine.Providers;

/// <summary>
/// Every provider's profile is complete, agrees with its adapter, and names a provider the emulator serves the same
/// way: the checks a fifth provider's profile must pass.
/// </summary>
public sealed class ProviderProfileTests
{
    public static TheoryData<HailuoProvider> Providers() => new(ProviderProfiles.All.Select(profile => profile.Provider));

    [Fact]
    public void There_is_one_profile_per_provider_in_the_order_of_the_enum()
    {
        Assert.Equal(Enum.GetValues<HailuoProvider>(), ProviderProfiles.All.Select(profile => profile.Provider));
        Assert.All(ProviderProfiles.All, profile => Assert.Same(profile, ProviderProfiles.For(profile.Provider)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProviderProfiles.For((HailuoProvider)99));
    }

    [Fact]
    public void Names_display_names_and_credential_variables_tell_the_providers_apart()
    {
        var profiles = ProviderProfiles.All;
        Assert.Equal(profiles.Count, profiles.Select(p => p.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(profiles.Count, profiles.Select(p => p.DisplayName).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(profiles.Count, profiles.Select(p => p.CredentialVariable).Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain(EnvironmentCredentialSource.Generic, profiles.Select(p => p.CredentialVariable));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void A_profile_is_complete(HailuoProvider provider)
    {
        var profile = ProviderProfiles.For(provider);

        Assert.Equal(provider.ToString(), profile.Name);
        Assert.False(string.IsNullOrWhiteSpace(profile.DisplayName));
        Assert.Equal(Uri.UriSchemeHttps, profile.DefaultBaseUri.Scheme);
        Assert.True(profile.MainlandBaseUri is null || profile.MainlandBaseUri.Scheme == Uri.UriSchemeHttps);
        Assert.Matches("^/[a-z]+(/[a-z0-9]+)+$", profile.EmulatorPath);
        Assert.False(string.IsNullOrWhiteSpace(profile.PriceWords));
        if (profile.CreditsPerVideo is { } credits)
        {
            Assert.True(credits > 0);
            Assert.Contains(credits.ToString(System.Globalization.CultureInfo.InvariantCulture), profile.PriceWords, StringComparison.Ordinal);
        }
        Assert.NotNull(profile.ReadRateLimit);
        Assert.True(profile.DefaultMaxJobsInFlight >= 1);
        Assert.Matches("^[A-Z][A-Z0-9_]+$", profile.CredentialVariable);
        Assert.NotEmpty(profile.Models);
        Assert.All(profile.Models, model => Assert.Contains(model, HailuoModels.All));
        Assert.Null(profile.CheckOptions(CompleteOptions(provider)));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_factory_makes_the_providers_adapter_and_its_calls_match_the_profiles_capabilities(HailuoProvider provider)
    {
        var profile = ProviderProfiles.For(provider);
        var options = CompleteOptions(provider);

        var adapter = profile.CreateAdapter(options);

        Assert.Equal(provider, adapter.Provider);
        Assert.Same(profile, adapter.Profile);
        var job = new HailuoJob("job-1", provider, HailuoModels.Standard, JobStatus.Running);
        Assert.Equal(profile.CanCancel, adapter.BuildCancel(job) is not null);
        Assert.Equal(profile.ListsCreatedJobs, adapter.BuildListCreated(DateTimeOffset.UtcNow) is not null);
        Assert.Equal(profile.CreateWaitsForVideo(options), adapter.CreateWaitsForVideo);
    }

    [Theory]
    [InlineData(HailuoProvider.CoreToday, false, true)]
    [InlineData(HailuoProvider.MiniMax, false, true)]
    [InlineData(HailuoProvider.Replicate, false, false)]
    [InlineData(HailuoProvider.Cloudflare, false, false)]
    [InlineData(HailuoProvider.Cloudflare, true, true)]
    public void Creates_go_one_at_a_time_where_they_answer_at_once_and_a_lost_one_cannot_be_found(
        HailuoProvider provider, bool cloudflareBatch, bool oneAtATime)
    {
        // Replicate lists its jobs, so a re-run finds a lost create; Cloudflare's documented run is the whole generation,
        // so one at a time would make a batch one video at a time. Its Batch API answers at once and lists nothing.
        var options = CompleteOptions(provider);
        options.CloudflareBatch = cloudflareBatch;

        Assert.Equal(oneAtATime, ProviderProfiles.For(provider).SendsCreatesOneAtATime(options));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_name_of_a_provider_parses_to_it(HailuoProvider provider)
    {
        var profile = ProviderProfiles.For(provider);

        foreach (var name in profile.OtherNames.Prepend(profile.DisplayName).Prepend(profile.Name))
        {
            Assert.Equal(provider, HailuoConnection.ParseProvider(name));
            Assert.Equal(provider, HailuoConnection.ParseProvider(name.ToUpperInvariant()));
        }
    }

    [Fact]
    public void The_emulator_emulates_exactly_the_profiled_providers()
    {
        Assert.Equal(ProviderNames.All.Order(StringComparer.Ordinal), ProviderProfiles.All.Select(p => CmdletPipeline.EmulatorName(p.Provider)).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_emulators_default_rate_limits_are_the_profiles(HailuoProvider provider)
    {
        var profile = ProviderProfiles.For(provider);
        var name = CmdletPipeline.EmulatorName(provider);
        var limits = new EmulatorOptions().RateLimits;
        Assert.All(new[] { profile.CreateRateLimit, profile.ReadRateLimit }.OfType<RateLimit>(), limit => Assert.Equal(TimeSpan.FromMinutes(1), limit.Window));

        if (profile.CreateRateLimit is { } create)
        {
            Assert.Equal(create.Permits, limits[name + ".create"]);
            Assert.Equal(profile.ReadRateLimit.Permits, limits[name + ".read"]);
        }
        else
        {
            // Creates count against the one limit.
            Assert.Equal(profile.ReadRateLimit.Permits, limits[name + ".all"]);
        }
    }

    [Fact]
    public async Task The_emulator_serves_each_provider_at_its_profiles_path()
    {
        await using var h = await EngineHarness.StartAsync();

        foreach (var profile in ProviderProfiles.All)
        {
            var client = h.Client(profile.Provider);
            Assert.Equal(new Uri(h.Emulator.BaseUrl + profile.EmulatorPath), client.Options.EffectiveBaseUri);

            var job = await client.SubmitAsync(EngineHarness.Request($"A paper boat on a {profile.Name} river"));

            Assert.Equal(profile.Provider, job.Provider);
            Assert.Equal(1, Count(await h.StatsAsync(profile.Provider), "creates"));
        }
    }

    [Fact]
    public void Cloudflare_options_without_an_account_id_are_refused_before_any_call()
    {
        var error = Assert.Throws<HailuoException>(() => new HailuoClientOptions(HailuoProvider.Cloudflare).Validate()).Error;

        Assert.Equal(HailuoErrorKind.Validation, error.Kind);
        Assert.Equal("CloudflareAccountId", error.Code);
        Assert.Equal("Cloudflare Workers AI needs an account id: none was given, and CLOUDFLARE_ACCOUNT_ID is not set.", error.Message);
    }

    [Theory]
    [InlineData("7", null)]
    [InlineData("1", HailuoProvider.Cloudflare)]
    [InlineData("replicate", HailuoProvider.Replicate)]
    public void Saved_settings_that_name_no_profiled_provider_are_unreadable(string provider, HailuoProvider? expected)
    {
        using var folder = new TempFolder();
        var path = folder.File("connection.json");
        File.WriteAllText(path, $$"""{"Provider":"{{provider}}","CredentialOrigin":"Environment"}""");

        Assert.Equal(expected, ConnectionStore.Load(path)?.Provider);
    }

    private static HailuoClientOptions CompleteOptions(HailuoProvider provider) => new(provider) { CloudflareAccountId = "acc-test" };
}
