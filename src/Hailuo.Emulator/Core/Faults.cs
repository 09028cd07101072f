using System.Globalization;
using System.Text.Json.Serialization;

namespace Hailuo.Emulator.Core;

/// <summary>What a request does, so that faults and rate limits can be aimed at one kind of call.</summary>
public enum Operation
{
    Create,
    Status,
    Cancel,
    Retrieve,
    Download,
    Upload,
    /// <summary>A listing of the account's jobs (Replicate's GET /predictions).</summary>
    List,
    Other,
}

/// <summary>The kinds of trouble the emulator can inject.</summary>
public enum FaultKind
{
    /// <summary>A 5xx answer in the provider's own form; the parameter is the burst length.</summary>
    ServerError,
    /// <summary>A 429 (or MiniMax's 1002); the parameter is the Retry-After in seconds.</summary>
    RateLimit,
    /// <summary>The connection is reset before the request is handled: nothing happened on the server.</summary>
    Reset,
    /// <summary>The request is handled, then the connection is reset: the client cannot know the outcome.</summary>
    Drop,
    /// <summary>The answer is held back; the parameter is the delay in milliseconds.</summary>
    Slow,
    /// <summary>
    /// The request is handled, then its answer is held back (the parameter is the delay in ms): a create
    /// that has made its job but not yet said so, as when the client dies or times out meanwhile.
    /// </summary>
    Hold,
    /// <summary>The body stops part-way, short of its Content-Length.</summary>
    Truncate,
    /// <summary>A body that is not valid JSON, under the answer's own status (a 200, or a 429 or 503 another fault chose).</summary>
    Malformed,
    /// <summary>The job is accepted, then fails at the content filter.</summary>
    ContentFilter,
    /// <summary>A download link answers as expired.</summary>
    Expire,
    /// <summary>A create is refused for lack of credits.</summary>
    Credits,
}

/// <summary>
/// One fault rule: inject <see cref="Kind"/> into requests of <see cref="Provider"/> and
/// <see cref="Operation"/> with a probability, at most <see cref="Times"/> times.
/// </summary>
public sealed class FaultRule
{
    private static readonly Dictionary<string, FaultKind> KindNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["5xx"] = FaultKind.ServerError,
        ["429"] = FaultKind.RateLimit,
        ["reset"] = FaultKind.Reset,
        ["drop"] = FaultKind.Drop,
        ["slow"] = FaultKind.Slow,
        ["hold"] = FaultKind.Hold,
        ["truncate"] = FaultKind.Truncate,
        ["malformed"] = FaultKind.Malformed,
        ["filter"] = FaultKind.ContentFilter,
        ["expire"] = FaultKind.Expire,
        ["credits"] = FaultKind.Credits,
    };

    [JsonConverter(typeof(JsonStringEnumConverter))]
    public FaultKind Kind { get; set; }

    public double Probability { get; set; } = 1.0;

    /// <summary>A provider name, or null for all.</summary>
    public string? Provider { get; set; }

    /// <summary>An operation, or null for every operation the kind applies to.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter))]
    public Operation? Operation { get; set; }

    /// <summary>How many times the rule may fire; null is unlimited.</summary>
    public int? Times { get; set; }

    /// <summary>Burst length for 5xx, Retry-After seconds for 429, delay in ms for slow.</summary>
    public double? Parameter { get; set; }

    /// <summary>Whether this kind of fault makes sense for an operation.</summary>
    public static bool AppliesTo(FaultKind kind, Operation operation) => kind switch
    {
        FaultKind.ContentFilter or FaultKind.Credits => operation == Core.Operation.Create,
        FaultKind.Expire => operation == Core.Operation.Download,
        FaultKind.Malformed => operation != Core.Operation.Download,
        _ => true,
    };

    /// <summary>
    /// Reads the compact form: comma-separated <c>[provider/][operation:]kind=probability[:parameter]</c>,
    /// for example <c>5xx=0.1:3,replicate/status:429=0.05,download:truncate=0.02</c>.
    /// </summary>
    public static List<FaultRule> ParseSpec(string? spec)
    {
        var rules = new List<FaultRule>();
        if (string.IsNullOrWhiteSpace(spec))
        {
            return rules;
        }
        foreach (var raw in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var rule = new FaultRule();
            var text = raw;
            var slash = text.IndexOf('/');
            if (slash > 0)
            {
                rule.Provider = text[..slash];
                if (!ProviderNames.IsKnown(rule.Provider))
                {
                    throw new ArgumentException($"Fault '{raw}': unknown provider '{rule.Provider}'. Use one of {string.Join(", ", ProviderNames.All)}.");
                }
                text = text[(slash + 1)..];
            }
            var eq = text.IndexOf('=');
            var head = eq < 0 ? text : text[..eq];
            var colon = head.IndexOf(':');
            if (colon > 0)
            {
                if (!Enum.TryParse<Operation>(head[..colon], ignoreCase: true, out var op))
                {
                    throw new ArgumentException($"Fault '{raw}': unknown operation '{head[..colon]}'. Use create, status, cancel, retrieve, download, upload or list.");
                }
                rule.Operation = op;
                head = head[(colon + 1)..];
            }
            if (!KindNames.TryGetValue(head, out var kind))
            {
                throw new ArgumentException($"Fault '{raw}': unknown kind '{head}'. Use one of {string.Join(", ", KindNames.Keys)}.");
            }
            rule.Kind = kind;
            if (eq >= 0)
            {
                var value = text[(eq + 1)..].Split(':');
                rule.Probability = ParseNumber(raw, value[0]);
                if (value.Length > 1)
                {
                    rule.Parameter = ParseNumber(raw, value[1]);
                }
            }
            try
            {
                rule.Validate();
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Fault '{raw}': {e.Message}");
            }
            rules.Add(rule);
        }
        return rules;
    }

    /// <summary>Checks a rule however it arrived (compact spec or JSON), so a typo is an error rather than a silent no-op.</summary>
    public void Validate()
    {
        if (Provider is not null && !ProviderNames.IsKnown(Provider))
        {
            throw new ArgumentException($"Fault rule for unknown provider '{Provider}'. Use one of {string.Join(", ", ProviderNames.All)}.");
        }
        if (Probability is < 0 or > 1 || double.IsNaN(Probability))
        {
            throw new ArgumentException($"Fault rule {Kind}: the probability must be between 0 and 1, not {Probability}.");
        }
        if (Times is < 0)
        {
            throw new ArgumentException($"Fault rule {Kind}: times must be 0 or more.");
        }
        if (Operation is { } op && !AppliesTo(Kind, op))
        {
            throw new ArgumentException($"Fault rule {Kind} cannot apply to {op} requests.");
        }
    }

    private static double ParseNumber(string raw, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new ArgumentException($"Fault '{raw}': '{text}' is not a number.");
}

/// <summary>A decision to inject one fault, with its parameter resolved.</summary>
public sealed record InjectedFault(FaultKind Kind, double? Parameter);

/// <summary>
/// Decides, per request, which faults to inject. Seeded, and locked so that a run with the same seed
/// and the same request order injects the same faults.
/// </summary>
public sealed class FaultInjector
{
    private readonly object _gate = new();
    private readonly Random _random;
    private List<RuleState> _rules = [];

    private sealed class RuleState(FaultRule rule)
    {
        public FaultRule Rule { get; } = rule;
        public int Fired { get; set; }
        public int BurstLeft { get; set; }
    }

    public FaultInjector(int seed, IEnumerable<FaultRule> rules)
    {
        _random = new Random(seed);
        Replace(rules);
    }

    public void Replace(IEnumerable<FaultRule> rules)
    {
        var checkedRules = rules.ToList();
        checkedRules.ForEach(r => r.Validate());
        lock (_gate)
        {
            _rules = checkedRules.Select(r => new RuleState(r)).ToList();
        }
    }

    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (_gate)
            {
                return _rules.Select(r => r.Rule).ToList();
            }
        }
    }

    /// <summary>The faults to inject into one request; at most one of each kind.</summary>
    public List<InjectedFault> Decide(string provider, Operation operation)
    {
        var chosen = new List<InjectedFault>();
        lock (_gate)
        {
            foreach (var state in _rules)
            {
                var rule = state.Rule;
                if ((rule.Provider is not null && rule.Provider != provider)
                    || (rule.Operation is not null && rule.Operation != operation)
                    || !FaultRule.AppliesTo(rule.Kind, operation)
                    || chosen.Any(f => f.Kind == rule.Kind))
                {
                    continue;
                }
                var fire = state.BurstLeft > 0;
                if (fire)
                {
                    state.BurstLeft--;
                }
                else if ((rule.Times is null || state.Fired < rule.Times) && _random.NextDouble() < rule.Probability)
                {
                    fire = true;
                    state.Fired++;
                    if (rule.Kind == FaultKind.ServerError && rule.Parameter is > 1)
                    {
                        state.BurstLeft = (int)rule.Parameter.Value - 1;
                    }
                }
                if (fire)
                {
                    chosen.Add(new InjectedFault(rule.Kind, rule.Parameter));
                }
            }
        }
        return chosen;
    }
}
