using System.Globalization;
using Hailuo.Emulator.Core;
using Hailuo.Transport;

namespace Hailuo.Emulator;

/// <summary>The four emulated providers, by the path prefix each one lives under.</summary>
public static class ProviderNames
{
    public const string CoreToday = "coretoday";
    public const string MiniMax = "minimax";
    public const string Replicate = "replicate";
    public const string Cloudflare = "cloudflare";

    public static readonly IReadOnlyList<string> All = [CoreToday, MiniMax, Replicate, Cloudflare];

    public static bool IsKnown(string name) => All.Contains(name, StringComparer.Ordinal);
}

/// <summary>Which of core.today's two documented reply shapes the emulator serves.</summary>
public enum CoreTodayShape
{
    /// <summary><c>{job_id, status:"completed", result}</c>, as in the seed page.</summary>
    Jobs,
    /// <summary><c>{id, status:"succeeded", output:[url]}</c>, the second shape the docs show.</summary>
    Predictions,
}

/// <summary>
/// Everything that shapes the emulator's behaviour. Times are in the providers' real (unscaled)
/// seconds; <see cref="TimeScale"/> shrinks them all at once.
/// </summary>
public sealed class EmulatorOptions
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public List<string> Urls { get; set; } = [DefaultUrl];

    /// <summary>When set, only this key is accepted; otherwise any non-empty key is.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Real seconds per emulated second: 0.01 turns a 90 s job into 0.9 s.</summary>
    public double TimeScale { get; set; } = 1.0;

    /// <summary>Seeds every random choice (faults, generation-time jitter, ids), so runs repeat.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Fault rules in the compact form that <see cref="FaultRule.ParseSpec"/> reads.</summary>
    public string? Faults { get; set; }

    public CoreTodayShape CoreTodayShape { get; set; } = CoreTodayShape.Jobs;

    /// <summary>Pads every served MP4 with a <c>free</c> box up to this many bytes; 0 serves the clip as it is.</summary>
    public long VideoBytes { get; set; }

    /// <summary>Jobs that may run at once, per provider; the rest queue.</summary>
    public Dictionary<string, int> Concurrency { get; set; } = new(StringComparer.Ordinal)
    {
        [ProviderNames.CoreToday] = 10,
        [ProviderNames.MiniMax] = 5,
        [ProviderNames.Replicate] = 20,
        [ProviderNames.Cloudflare] = 10,
    };

    /// <summary>
    /// Requests a minute, keyed "provider.scope" where scope is create, read or all. 0 turns a limit off.
    /// MiniMax allows 5 video requests a minute, Replicate 600 creates and 3000 other requests.
    /// </summary>
    public Dictionary<string, int> RateLimits { get; set; } = new(StringComparer.Ordinal)
    {
        ["coretoday.create"] = 60,
        ["coretoday.read"] = 600,
        ["minimax.create"] = 5,
        ["minimax.read"] = 300,
        ["replicate.create"] = 600,
        ["replicate.read"] = 3000,
        ["cloudflare.all"] = 300,
    };

    /// <summary>
    /// Each job's generation time, drawn per job by model: "standard" (Hailuo 2.3) and "fast" (Hailuo 2.3 Fast). The
    /// defaults are the published ranges: about 30-90 s a clip, depending on queue load, and 20-50 s for Fast.
    /// </summary>
    public Dictionary<string, GenerationTime> GenerationTime { get; set; } = new(StringComparer.Ordinal)
    {
        [StandardModel] = Core.GenerationTime.Uniform(30, 90),
        [FastModel] = Core.GenerationTime.Uniform(20, 50),
    };

    public const string StandardModel = "standard";
    public const string FastModel = "fast";

    /// <summary>
    /// A fixed mean for jobs of one resolution and duration, keyed "768p-6s", "768p-10s" or "1080p-6s", in place of
    /// <see cref="GenerationTime"/>: each such job takes the mean times a uniform factor in [1 - jitter, 1 + jitter].
    /// </summary>
    public Dictionary<string, double> GenerationSeconds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The spread of <see cref="GenerationSeconds"/>: a uniform factor in [1 - jitter, 1 + jitter].</summary>
    public double GenerationJitter { get; set; } = 0.1;

    /// <summary>After so many jobs of a provider, every later one takes so many times as long; null: no change of pace.</summary>
    public PaceShift? PaceShift { get; set; }

    /// <summary>A share of jobs refused by the content filter a set time after they start; null: none beyond the faults.</summary>
    public Refusals? Refusals { get; set; }

    /// <summary>How long a signed download link stays valid, in seconds.</summary>
    public double UrlTtlSeconds { get; set; } = 3600;

    /// <summary>Replicate deletes outputs this long after a prediction completes.</summary>
    public double ReplicateRetentionSeconds { get; set; } = 3600;

    /// <summary>How long MiniMax reports a new task as Preparing before it is Queueing.</summary>
    public double PreparingSeconds { get; set; } = 5;

    /// <summary>Credits an account starts with; each core.today create costs <see cref="CreditsPerVideo"/>. Null is unlimited.</summary>
    public long? Credits { get; set; }

    public int CreditsPerVideo { get; set; } = 420;

    /// <summary>Reads the command line: <c>--name value</c> pairs, as in the README.</summary>
    public static EmulatorOptions Parse(IReadOnlyList<string> args)
    {
        var options = new EmulatorOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{name}'. Options look like --time-scale 0.01.");
            }

            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{name} needs a value.");
                }
                return args[++i];
            }

            switch (name)
            {
                case "--urls": options.Urls = Value().Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(); break;
                case "--api-key": options.ApiKey = Value(); break;
                case "--time-scale": options.TimeScale = ParseDouble(name, Value()); break;
                case "--seed": options.Seed = (int)ParseDouble(name, Value()); break;
                case "--faults": options.Faults = Value(); break;
                case "--coretoday-shape": options.CoreTodayShape = ParseShape(Value()); break;
                case "--video-bytes": options.VideoBytes = ParseSize(Value()); break;
                case "--concurrency": MergeInts(options.Concurrency, Value(), name, ProviderNames.All); break;
                case "--rate-limits": MergeInts(options.RateLimits, Value(), name, null); break;
                case "--generation-time": ParseGenerationTimes(options.GenerationTime, Value()); break;
                case "--pace-shift": options.PaceShift = Core.PaceShift.Parse(Value()); break;
                case "--refusals": options.Refusals = Core.Refusals.Parse(Value()); break;
                case "--generation-seconds": MergeDoubles(options.GenerationSeconds, Value(), name); break;
                case "--generation-jitter": options.GenerationJitter = ParseDouble(name, Value()); break;
                case "--url-ttl": options.UrlTtlSeconds = ParseDouble(name, Value()); break;
                case "--replicate-retention": options.ReplicateRetentionSeconds = ParseDouble(name, Value()); break;
                case "--credits": options.Credits = (long)ParseDouble(name, Value()); break;
                default: throw new ArgumentException($"Unknown option '{name}'. See the README's emulator section for the list.");
            }
        }
        options.Validate();
        return options;
    }

    public void Validate()
    {
        if (TimeScale <= 0 || double.IsNaN(TimeScale))
        {
            throw new ArgumentException("--time-scale must be greater than 0, for example 0.01.");
        }
        if (Urls.Count == 0)
        {
            throw new ArgumentException("--urls needs at least one URL, for example http://127.0.0.1:5080.");
        }
        foreach (var url in Urls)
        {
            EnsureLoopback(url);
        }
        if (GenerationJitter is < 0 or >= 1)
        {
            throw new ArgumentException("--generation-jitter must be at least 0 and below 1.");
        }
        foreach (var model in new[] { StandardModel, FastModel })
        {
            if (!GenerationTime.ContainsKey(model))
            {
                throw new ArgumentException($"--generation-time needs a time for the {model} model.");
            }
        }
        foreach (var (provider, limit) in Concurrency)
        {
            if (!ProviderNames.IsKnown(provider) || limit < 1)
            {
                throw new ArgumentException($"Concurrency '{provider}={limit}' needs a known provider ({string.Join(", ", ProviderNames.All)}) and a limit of at least 1.");
            }
        }
        foreach (var key in RateLimits.Keys)
        {
            var parts = key.Split('.');
            if (parts.Length != 2 || !ProviderNames.IsKnown(parts[0]) || parts[1] is not ("create" or "read" or "all"))
            {
                throw new ArgumentException($"Rate limit '{key}' is not of the form provider.create, provider.read or provider.all.");
            }
        }
        _ = FaultRule.ParseSpec(Faults);
    }

    /// <summary>The emulator only ever listens on loopback: it is a local stand-in, never a service.</summary>
    public static void EnsureLoopback(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"'{url}' is not an http URL such as http://127.0.0.1:5080.");
        }
        if (!NetworkAddress.IsLoopback(uri))
        {
            throw new ArgumentException($"The emulator listens on loopback only; use 127.0.0.1 instead of '{uri.Host}'.");
        }
    }

    public static long ParseSize(string text)
    {
        var t = text.Trim().ToUpperInvariant();
        long unit = 1;
        foreach (var (suffix, factor) in new[] { ("GB", 1L << 30), ("MB", 1L << 20), ("KB", 1L << 10), ("B", 1L) })
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal))
            {
                unit = factor;
                t = t[..^suffix.Length];
                break;
            }
        }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number < 0)
        {
            throw new ArgumentException($"'{text}' is not a size such as 500MB.");
        }
        return (long)(number * unit);
    }

    private static CoreTodayShape ParseShape(string text) => text.ToLowerInvariant() switch
    {
        "jobs" => CoreTodayShape.Jobs,
        "predictions" => CoreTodayShape.Predictions,
        _ => throw new ArgumentException($"--coretoday-shape is 'jobs' or 'predictions', not '{text}'."),
    };

    private static double ParseDouble(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"{name} takes a number, not '{text}'.");

    /// <summary>One time for both models, or <c>standard=...,fast=...</c>.</summary>
    private static void ParseGenerationTimes(Dictionary<string, GenerationTime> target, string text)
    {
        if (!text.Contains('='))
        {
            var all = Core.GenerationTime.Parse(text);
            target[StandardModel] = all;
            target[FastModel] = all;
            return;
        }
        foreach (var (key, value) in Pairs(text, "--generation-time"))
        {
            if (key is not (StandardModel or FastModel))
            {
                throw new ArgumentException($"--generation-time takes standard=... and fast=..., not '{key}'.");
            }
            target[key] = Core.GenerationTime.Parse(value);
        }
    }

    private static IEnumerable<(string Key, string Value)> Pairs(string text, string name)
    {
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                throw new ArgumentException($"{name} takes key=value pairs separated by commas, not '{part}'.");
            }
            yield return (part[..eq].Trim(), part[(eq + 1)..].Trim());
        }
    }

    private static void MergeInts(Dictionary<string, int> target, string text, string name, IReadOnlyList<string>? allKeysForBareNumber)
    {
        if (allKeysForBareNumber is not null && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var all))
        {
            foreach (var key in allKeysForBareNumber)
            {
                target[key] = all;
            }
            return;
        }
        foreach (var (key, value) in Pairs(text, name))
        {
            target[key] = (int)ParseDouble(name, value);
        }
    }

    private static void MergeDoubles(Dictionary<string, double> target, string text, string name)
    {
        foreach (var (key, value) in Pairs(text, name))
        {
            target[key] = ParseDouble(name, value);
        }
    }
}
