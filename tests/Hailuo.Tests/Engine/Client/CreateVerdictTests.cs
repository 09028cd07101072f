using Hailuo.Emulator.Core;
using Hailuo.Ledger;
using Hailuo.Models;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Engine.Client;

/// <summary>
/// What a create's answer proves, as the bytes that arrived say it: a declined create (429, 503, 408) is retried
/// whatever its body looks like; "outcome unknown" only where the answer cannot tell.
/// </summary>
public sealed class CreateVerdictTests
{
    public static TheoryData<string, string> DeclinedAndDamaged => new()
    {
        { "ServerError", "Truncate" },
        { "ServerError", "Malformed" },
        { "RateLimit", "Truncate" },
        { "RateLimit", "Malformed" },
    };

    [Theory]
    [MemberData(nameof(DeclinedAndDamaged))]
    public async Task A_declined_create_whose_body_is_cut_short_or_garbled_is_retried_and_pays_once(string declined, string damage)
    {
        await using var h = await EngineHarness.StartAsync();
        using var client = h.Client(HailuoProvider.CoreToday);
        await h.Emulator.SetFaultsAsync(new object[]
        {
            new { kind = declined, operation = "Create", times = 1, parameter = 0 },
            new { kind = damage, operation = "Create", times = 1 },
        });

        var job = await client.SubmitAsync(EngineHarness.Request("A declined create, damaged"));

        Assert.False(job.Reused);
        Assert.Equal(LedgerState.Submitted, client.Ledger!.FindById(HailuoProvider.CoreToday, job.Id)!.State);
        var stats = await h.StatsAsync(HailuoProvider.CoreToday);
        Assert.Equal(2, Count(stats, "createRequests"));
        Assert.Equal(1, Count(stats, "creates"));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    public async Task A_create_answered_with_a_5xx_other_than_503_may_have_been_made_and_is_never_sent_again(int status)
    {
        await using var h = await EngineHarness.StartAsync();
        using var client = h.Client(HailuoProvider.CoreToday);
        h.Emulator.Server.State.Hostile.Add(new HostileAnswer { Provider = "coretoday", Operation = Operation.Create, Handle = true, Status = status, Body = "{\"detail\":\"upstream\"}", Times = 1 });
        var request = EngineHarness.Request("A create the gateway lost the answer of");

        var first = await Assert.ThrowsAsync<HailuoException>(() => client.SubmitAsync(request));
        var again = await Assert.ThrowsAsync<HailuoException>(() => client.SubmitAsync(request));

        Assert.Equal(HailuoErrorKind.OutcomeUnknown, first.Error.Kind);
        Assert.Contains($"HTTP {status}", first.Error.Message);
        Assert.Equal(HailuoErrorKind.OutcomeUnknown, again.Error.Kind);
        Assert.Equal(1, Count(await h.StatsAsync(HailuoProvider.CoreToday), "createRequests"));
    }

    [Fact]
    public async Task A_refusal_whose_body_is_cut_short_is_still_a_refusal_and_the_input_may_be_sent_again()
    {
        await using var h = await EngineHarness.StartAsync();
        using var client = h.Client(HailuoProvider.CoreToday);
        h.Emulator.Server.State.Hostile.Add(new HostileAnswer
        {
            Provider = "coretoday", Operation = Operation.Create, Handle = false, Status = 402, Body = "{\"detail\":\"not enough credits\"}", ContentLength = 100, Times = 1,
        });
        var request = EngineHarness.Request("A refused create, cut short");

        var refused = await Assert.ThrowsAsync<HailuoException>(() => client.SubmitAsync(request));
        var job = await client.SubmitAsync(request);

        Assert.Equal(HailuoErrorKind.InsufficientCredits, refused.Error.Kind);
        Assert.False(job.Reused);
        Assert.Equal(1, Count(await h.StatsAsync(HailuoProvider.CoreToday), "creates"));
    }
}
