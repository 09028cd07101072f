using Hailuo.Credentials;
using Hailuo.Models;
using Hailuo.Tests.Engine.Client;

namespace Hailuo.Tests.Engine.Validation;

/// <summary>
/// A first-frame URL the provider's servers would fetch from this computer or a private network is refused by a client of
/// a real provider, as New-HailuoVideo checks a row before it sends anything; a client of the emulator on loopback may use one (issue 12, item 6).
/// </summary>
public sealed class FirstFrameHostTests
{
    [Theory]
    [InlineData("https://169.254.169.254/latest/meta-data/iam/security-credentials/")]
    [InlineData("https://10.0.0.8/frame.png")]
    [InlineData("https://192.168.1.10/frame.png")]
    [InlineData("https://127.0.0.1/frame.png")]
    [InlineData("https://[fd00::7]/frame.png")]
    public void A_real_providers_client_refuses_it(string url)
    {
        foreach (var provider in Enum.GetValues<HailuoProvider>())
        {
            // The provider's real address, which Validate (what SubmitAsync checks first) never calls.
            using var client = new HailuoClient(new HailuoClientOptions(provider)
            {
                Credentials = new StaticCredentialSource(new HailuoCredential("sk-first-frame-test", "test")),
                CloudflareAccountId = "acc-test",
                UseLedger = false,
            });
            var request = new VideoRequest { Prompt = "A lighthouse at dusk", FirstFrameImage = url };

            var problems = client.Validate(request);

            Assert.Contains(problems, p => p.Kind == HailuoErrorKind.Validation && p.Message.Contains("FirstFrameImage", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task The_emulators_client_on_loopback_may_use_an_image_on_this_computer()
    {
        await using var h = await EngineHarness.StartAsync();
        var client = h.Client(HailuoProvider.Replicate);

        Assert.Empty(client.Validate(new VideoRequest { Prompt = "A lighthouse at dusk", FirstFrameImage = "http://127.0.0.1:5080/frame.png" }));
    }
}
