using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hailuo.Emulator.Core;

/// <summary>Everything the emulator knows, shared by the four provider APIs and the admin endpoints.</summary>
public sealed class EmulatorState
{
    private readonly object _randomGate = new();
    private readonly Random _random;
    private readonly Dictionary<string, long> _credits = new(StringComparer.Ordinal);

    public EmulatorState(EmulatorOptions options, TimeProvider? time = null)
    {
        Options = options;
        Time = time ?? TimeProvider.System;
        _random = new Random(options.Seed);
        Faults = new FaultInjector(options.Seed, FaultRule.ParseSpec(options.Faults));
        Rates = new RateWindows(Time);
        Links = new LinkSigner(options.Seed);
        Boards = ProviderNames.All.ToDictionary(
            p => p,
            p => new JobBoard(p, Time, () => Options.Concurrency.GetValueOrDefault(p, 10)),
            StringComparer.Ordinal);
        WebhookSecret = "whsec_" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"hailuo-emulator-webhooks-{options.Seed}")));
    }

    public EmulatorOptions Options { get; }
    public TimeProvider Time { get; }
    public FaultInjector Faults { get; }

    /// <summary>Answers a test set in place of the emulator's own (see <see cref="HostileAnswer"/>).</summary>
    public HostileAnswers Hostile { get; } = new();
    public RateWindows Rates { get; }
    public EmulatorStats Stats { get; } = new();
    public VideoLibrary Videos { get; } = new();
    public LinkSigner Links { get; }
    public IReadOnlyDictionary<string, JobBoard> Boards { get; }

    /// <summary>The secret Replicate webhooks are signed with, in Replicate's <c>whsec_</c> form.</summary>
    public string WebhookSecret { get; }

    /// <summary>The base URL clients reach the emulator at, filled in once Kestrel has bound.</summary>
    public string PublicBaseUrl { get; set; } = EmulatorOptions.DefaultUrl;

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Turns emulated (provider) seconds into real time.</summary>
    public TimeSpan Scaled(double seconds) => TimeSpan.FromSeconds(seconds * Options.TimeScale);

    public double NextDouble()
    {
        lock (_randomGate)
        {
            return _random.NextDouble();
        }
    }

    /// <summary>A seeded id made of <paramref name="length"/> characters from <paramref name="alphabet"/>.</summary>
    public string NewId(int length, string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789")
    {
        var chars = new char[length];
        lock (_randomGate)
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[_random.Next(alphabet.Length)];
            }
        }
        return new string(chars);
    }

    /// <summary>
    /// The next job of <paramref name="provider"/>: how long it runs before its outcome (scaled), and whether the content
    /// filter refuses it then. Drawn in creation order from the provider's own seeded sequence, so the n-th job of a
    /// provider takes the same time in every run with the same seed, whatever else the run does.
    /// </summary>
    public (TimeSpan Time, bool Refused) DrawGenerationTime(string provider, string model, string resolution, int duration)
    {
        var options = Options;
        lock (_draws)
        {
            if (!_draws.TryGetValue(provider, out var draws))
            {
                draws = (new Random(unchecked((options.Seed * 31) + ProviderNames.All.ToList().IndexOf(provider))), 0);
            }
            var (random, count) = draws;
            count++;
            _draws[provider] = (random, count);
            var (u, v) = (random.NextDouble(), random.NextDouble());
            if (options.Refusals is { } refusals && refusals.Refuses(count))
            {
                return (Scaled(refusals.AfterSeconds), true);
            }
            double seconds;
            if (options.GenerationSeconds.TryGetValue($"{resolution.ToLowerInvariant()}-{duration}s", out var mean))
            {
                seconds = mean * (1 + ((u * 2) - 1) * options.GenerationJitter);
            }
            else
            {
                var fast = model.Contains("fast", StringComparison.OrdinalIgnoreCase);
                seconds = options.GenerationTime[fast ? EmulatorOptions.FastModel : EmulatorOptions.StandardModel].Draw(u, v);
            }
            if (options.PaceShift is { } shift && count > shift.AfterJobs)
            {
                seconds *= shift.Factor;
            }
            return (Scaled(seconds), false);
        }
    }

    private readonly Dictionary<string, (Random Random, long Count)> _draws = new(StringComparer.Ordinal);

    /// <summary>Takes the price of a video from an account's credits; false when it cannot pay.</summary>
    public bool TryCharge(string account, long price)
    {
        if (Options.Credits is null)
        {
            return true;
        }
        lock (_credits)
        {
            var balance = _credits.GetValueOrDefault(account, Options.Credits.Value);
            if (balance < price)
            {
                return false;
            }
            _credits[account] = balance - price;
            return true;
        }
    }

    /// <summary>Keys are never kept: accounts are known by a short hash.</summary>
    public static string AccountOf(string key) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16].ToLowerInvariant();

    /// <summary>A stable hash of an input, with keys sorted, so identical submissions can be counted.</summary>
    public static string HashInput(string model, JsonObject input)
    {
        var canonical = new StringBuilder(model).Append('|');
        AppendCanonical(canonical, input);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))[..24].ToLowerInvariant();
    }

    private static void AppendCanonical(StringBuilder sb, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                sb.Append('{');
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    sb.Append(JsonSerializer.Serialize(key)).Append(':');
                    AppendCanonical(sb, value);
                    sb.Append(',');
                }
                sb.Append('}');
                break;
            case JsonArray array:
                sb.Append('[');
                foreach (var item in array)
                {
                    AppendCanonical(sb, item);
                    sb.Append(',');
                }
                sb.Append(']');
                break;
            default:
                sb.Append(node?.ToJsonString() ?? "null");
                break;
        }
    }

    /// <summary>Clears the counters, rate windows, per-job counts and credit balances; jobs themselves stay.</summary>
    public void ResetStats()
    {
        Stats.Reset();
        Rates.Clear();
        lock (_credits)
        {
            _credits.Clear();
        }
        foreach (var board in Boards.Values)
        {
            foreach (var job in board.Snapshot())
            {
                Interlocked.Exchange(ref job.Polls, 0);
                Interlocked.Exchange(ref job.Downloads, 0);
            }
        }
    }

    /// <summary>Registers a new job: counts it as paid and as one more submission of its input.</summary>
    public void AddJob(EmulatedJob job)
    {
        var stats = Stats.For(job.Provider);
        Interlocked.Increment(ref stats.Creates);
        stats.InputSubmissions.AddOrUpdate(job.InputHash, 1, (_, n) => n + 1);
        Boards[job.Provider].Add(job);
    }
}
