using Hailuo.Emulator;
using Hailuo.Emulator.Core;
using static Hailuo.Tests.Emulator.EmulatorGenericHelpers;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Emulator;

/// <summary>Generation times drawn from a distribution set on the command line, refusals after a set time, and a change of pace.</summary>
public sealed class GenerationTimeTests
{
    private const string R = ProviderNames.Replicate;

    private static List<(double Seconds, bool Refused)> Draw(EmulatorOptions options, int count, string provider = R, string model = "minimax/hailuo-2.3")
    {
        var state = new EmulatorState(options);
        return Enumerable.Range(0, count).Select(_ => state.DrawGenerationTime(provider, model, "768p", 6)).Select(d => (d.Time.TotalSeconds, d.Refused)).ToList();
    }

    [Fact]
    public void By_default_jobs_take_the_published_30_to_90_s_and_Fast_ones_20_to_50_s()
    {
        var standard = Draw(new EmulatorOptions(), 2000).Select(d => d.Seconds).ToList();
        var fast = Draw(new EmulatorOptions(), 2000, model: "minimax/hailuo-2.3-fast").Select(d => d.Seconds).ToList();

        Assert.InRange(standard.Min(), 30, 31);
        Assert.InRange(standard.Max(), 89, 90);
        Assert.InRange(standard.Average(), 58, 62);
        Assert.InRange(fast.Min(), 20, 21);
        Assert.InRange(fast.Max(), 49, 50);
    }

    [Fact]
    public void The_command_line_sets_a_range_a_log_normal_with_its_tail_refusals_and_a_pace_shift()
    {
        var options = EmulatorOptions.Parse(["--generation-time", "standard=lognormal:120-600,fast=uniform:3-10", "--refusals", "0.2@2", "--pace-shift", "3@100", "--time-scale", "1"]);

        Assert.Equal(("lognormal:120-600", "uniform:3-10"), (options.GenerationTime["standard"].ToString(), options.GenerationTime["fast"].ToString()));
        var draws = Draw(options, 1000);
        var first = draws.Take(100).ToList();
        // Every 5th job is refused 2 s after it starts, the rest run their drawn time.
        Assert.Equal(Enumerable.Range(1, 100).Select(i => i % 5 == 0), first.Select(d => d.Refused));
        Assert.All(first.Where(d => d.Refused), d => Assert.Equal(2, d.Seconds, 6));
        // 90 % of the log-normal's jobs between its two figures, a twentieth beyond the second: the tail.
        var runs = first.Where(d => !d.Refused).Select(d => d.Seconds).ToList();
        Assert.InRange(runs.Count(s => s is >= 120 and <= 600) / (double)runs.Count, 0.8, 0.97);
        Assert.Contains(runs, s => s > 600);
        // From the 101st job on, everything takes three times as long.
        var later = draws.Skip(100).Where(d => !d.Refused).Select(d => d.Seconds).Order().ToList();
        Assert.InRange(later[later.Count / 2], 3 * 268 * 0.85, 3 * 268 * 1.15);

        var one = EmulatorOptions.Parse(["--generation-time", "fixed:42"]);
        Assert.Equal([42.0, 42.0], Draw(one, 1).Concat(Draw(one, 1, model: "minimax/hailuo-2.3-fast")).Select(d => d.Seconds));
    }

    [Fact]
    public void The_nth_job_of_a_provider_draws_the_same_time_in_every_run_with_the_same_seed()
    {
        var options = new EmulatorOptions { Seed = 11 };
        var state = new EmulatorState(options);
        // Another provider's jobs in between change nothing.
        var mixed = Enumerable.Range(0, 20).Select(i =>
        {
            state.DrawGenerationTime(ProviderNames.MiniMax, "MiniMax-Hailuo-2.3", "768p", 6);
            return state.DrawGenerationTime(R, "minimax/hailuo-2.3", "768p", 6).Time;
        }).ToList();
        Assert.Equal(Draw(new EmulatorOptions { Seed = 11 }, 20).Select(d => d.Seconds), mixed.Select(t => t.TotalSeconds));
        Assert.NotEqual(Draw(new EmulatorOptions { Seed = 12 }, 20).Select(d => d.Seconds), mixed.Select(t => t.TotalSeconds));
    }

    [Theory]
    [InlineData("--generation-time", "uniform:90-30")]
    [InlineData("--generation-time", "gamma:3-4")]
    [InlineData("--generation-time", "lognormal:120")]
    [InlineData("--generation-time", "slow=uniform:1-2")]
    [InlineData("--refusals", "20%@2")]
    [InlineData("--refusals", "0.2")]
    [InlineData("--pace-shift", "3x")]
    public void A_malformed_distribution_is_refused_with_the_forms_that_work(string option, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => EmulatorOptions.Parse([option, value]));
        Assert.Matches("uniform:|SHARE@SECONDS|FACTOR@JOBS|standard=|0 < low", error.Message);
    }

    [Fact]
    public async Task A_refusal_comes_the_set_time_after_the_job_starts_through_the_api_and_the_config_can_change_it()
    {
        await using var emu = await StartAsync(o =>
        {
            o.TimeScale = 0.01;
            o.Refusals = Refusals.Parse("1@2");
        });
        var (_, created) = await emu.SendAsync(HttpMethod.Post, ReplicateCreate, R, ReplicateBody("Refused at once"));
        var failed = await ReplicatePredictionAsync(emu, created!["id"]!.GetValue<string>(), b => b["status"]!.GetValue<string>() == "failed", "the refusal");
        var ran = DateTimeOffset.Parse(failed["completed_at"]!.GetValue<string>()) - DateTimeOffset.Parse(failed["started_at"]!.GetValue<string>());
        Assert.Equal(2, ran.TotalSeconds / 0.01, 3);

        await SetConfigAsync(emu, new { generationTime = new { standard = "fixed:5" }, refusals = "", paceShift = "2@0" });
        var (_, config) = await AdminAsync(emu, HttpMethod.Get, "config");
        Assert.Equal(("fixed:5", null, "2@0"), (config!["generationTime"]!["standard"]!.GetValue<string>(), config["refusals"]?.GetValue<string>(), config["paceShift"]!.GetValue<string>()));
        var (_, next) = await emu.SendAsync(HttpMethod.Post, ReplicateCreate, R, ReplicateBody("Ten seconds"));
        var done = await ReplicatePredictionAsync(emu, next!["id"]!.GetValue<string>(), b => b["status"]!.GetValue<string>() == "succeeded", "the job");
        Assert.Equal(10, done["metrics"]!["predict_time"]!.GetValue<double>(), 3);
    }
}
