using System.Text.Json;
using System.Text.Json.Nodes;
using Hailuo.Emulator.Core;

namespace Hailuo.Emulator;

/// <summary>
/// <c>/_emulator</c>: the numbers tests and benchmarks assert against, and the knobs they turn at run
/// time (faults, configuration). Loopback only, like the rest of the emulator, so no auth.
/// </summary>
public static class AdminApi
{
    public const string Prefix = "/_emulator";

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static void Map(IEndpointRouteBuilder app, EmulatorState state)
    {
        var admin = app.MapGroup(Prefix);
        admin.MapGet("/health", () => Results.Json(new { status = "ok" }));
        admin.MapGet("/stats", (bool? jobs) => Results.Content(Stats(state, jobs ?? true).ToJsonString(), "application/json"));
        admin.MapPost("/reset", () =>
        {
            state.ResetStats();
            return Results.Json(new { reset = true });
        });
        admin.MapGet("/faults", () => Results.Json(new { rules = state.Faults.Rules }, Web));
        admin.MapPost("/faults", async (HttpRequest request) =>
        {
            try
            {
                var body = await JsonNode.ParseAsync(request.Body) as JsonObject ?? [];
                var rules = body["spec"] is JsonNode spec
                    ? FaultRule.ParseSpec(spec.GetValue<string>())
                    : body["rules"].Deserialize<List<FaultRule>>(Web) ?? [];
                state.Faults.Replace(rules);
                return Results.Json(new { rules = state.Faults.Rules }, Web);
            }
            catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
            {
                return Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status400BadRequest);
            }
        });
        admin.MapDelete("/faults", () =>
        {
            state.Faults.Replace([]);
            return Results.Json(new { rules = Array.Empty<FaultRule>() });
        });
        admin.MapGet("/hostile", () => Results.Json(new { answers = state.Hostile.Answers }, Web));
        admin.MapPost("/hostile", async (HttpRequest request) =>
        {
            try
            {
                var body = await JsonNode.ParseAsync(request.Body) as JsonObject ?? [];
                state.Hostile.Replace(body["answers"].Deserialize<List<HostileAnswer>>(Web) ?? []);
                return Results.Json(new { answers = state.Hostile.Answers }, Web);
            }
            catch (Exception e) when (e is JsonException or ArgumentException)
            {
                return Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status400BadRequest);
            }
        });
        admin.MapDelete("/hostile", () =>
        {
            state.Hostile.Replace([]);
            return Results.Json(new { answers = Array.Empty<HostileAnswer>() });
        });
        admin.MapGet("/config", () => Results.Json(Config(state.Options), Web));
        admin.MapPost("/config", async (HttpRequest request) =>
        {
            try
            {
                var patch = await JsonSerializer.DeserializeAsync<ConfigPatch>(request.Body, Web) ?? new ConfigPatch();
                patch.ApplyTo(state.Options);
                return Results.Json(Config(state.Options), Web);
            }
            catch (Exception e) when (e is JsonException or ArgumentException)
            {
                return Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status400BadRequest);
            }
        });
    }

    private static object Config(EmulatorOptions o) => new
    {
        o.TimeScale,
        o.Seed,
        CoreTodayShape = o.CoreTodayShape.ToString().ToLowerInvariant(),
        o.VideoBytes,
        o.Concurrency,
        o.RateLimits,
        GenerationTime = o.GenerationTime.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal),
        o.GenerationSeconds,
        o.GenerationJitter,
        PaceShift = o.PaceShift?.ToString(),
        Refusals = o.Refusals?.ToString(),
        o.UrlTtlSeconds,
        o.ReplicateRetentionSeconds,
        o.Credits,
        ApiKeyRequired = o.ApiKey is not null,
    };

    public static JsonObject Stats(EmulatorState state, bool includeJobs)
    {
        var providers = new JsonObject();
        foreach (var (name, s) in state.Stats.Providers.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var entry = new JsonObject
            {
                ["requests"] = s.Requests,
                ["createRequests"] = s.CreateRequests,
                ["creates"] = s.Creates,
                ["statusPolls"] = s.StatusPolls,
                ["cancels"] = s.Cancels,
                ["retrieves"] = s.Retrieves,
                ["uploads"] = s.Uploads,
                ["lists"] = s.Lists,
                ["downloads"] = s.Downloads,
                ["bytesSent"] = s.BytesSent,
                ["faultsInjected"] = s.FaultsInjected,
                ["faultsByKind"] = new JsonObject(s.FaultsByKind.OrderBy(p => p.Key).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
                ["rateLimited"] = s.RateLimited,
                ["authFailures"] = s.AuthFailures,
                ["invalidRequests"] = s.InvalidRequests,
                ["callbacksDelivered"] = s.CallbacksDelivered,
                ["callbacksFailed"] = s.CallbacksFailed,
                ["hostileAnswers"] = s.HostileAnswers,
                ["duplicateCreates"] = s.DuplicateCreates,
                ["identicalInputs"] = new JsonObject(s.InputSubmissions.Where(p => p.Value > 1).OrderBy(p => p.Key)
                    .Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            };
            if (includeJobs)
            {
                var jobs = new JsonObject();
                foreach (var job in state.Boards[name].Snapshot().OrderBy(j => j.CreatedAt))
                {
                    jobs[job.Id] = new JsonObject
                    {
                        ["status"] = job.State.ToString(),
                        ["polls"] = job.Polls,
                        ["downloads"] = job.Downloads,
                        ["inputHash"] = job.InputHash,
                        ["createdAt"] = ProviderApi.Iso(job.CreatedAt),
                        ["startedAt"] = ProviderApi.IsoOrNull(job.StartedAt),
                        ["completedAt"] = ProviderApi.IsoOrNull(job.CompletedAt),
                    };
                }
                entry["jobs"] = jobs;
            }
            providers[name] = entry;
        }
        return new JsonObject { ["providers"] = providers };
    }

    /// <summary>The settings that may change while the emulator runs; each replaces the old value whole.</summary>
    private sealed class ConfigPatch
    {
        public double? TimeScale { get; set; }
        public string? CoreTodayShape { get; set; }
        public long? VideoBytes { get; set; }
        public Dictionary<string, int>? Concurrency { get; set; }
        public Dictionary<string, int>? RateLimits { get; set; }
        public Dictionary<string, string>? GenerationTime { get; set; }
        public Dictionary<string, double>? GenerationSeconds { get; set; }
        public double? GenerationJitter { get; set; }
        /// <summary>FACTOR@JOBS, or "" for none.</summary>
        public string? PaceShift { get; set; }
        /// <summary>SHARE@SECONDS, or "" for none.</summary>
        public string? Refusals { get; set; }
        public double? UrlTtlSeconds { get; set; }
        public double? ReplicateRetentionSeconds { get; set; }
        public long? Credits { get; set; }

        public void ApplyTo(EmulatorOptions options)
        {
            var next = new EmulatorOptions
            {
                Urls = options.Urls,
                TimeScale = TimeScale ?? options.TimeScale,
                GenerationJitter = GenerationJitter ?? options.GenerationJitter,
                RateLimits = Merge(options.RateLimits, RateLimits),
                Concurrency = Merge(options.Concurrency, Concurrency),
            };
            next.Validate();
            options.TimeScale = next.TimeScale;
            options.GenerationJitter = next.GenerationJitter;
            if (CoreTodayShape is not null)
            {
                options.CoreTodayShape = Enum.Parse<CoreTodayShape>(CoreTodayShape, ignoreCase: true);
            }
            options.VideoBytes = VideoBytes ?? options.VideoBytes;
            options.Concurrency = next.Concurrency;
            options.RateLimits = next.RateLimits;
            options.GenerationSeconds = Merge(options.GenerationSeconds, GenerationSeconds);
            options.GenerationTime = Merge(options.GenerationTime, ParsedTimes());
            if (PaceShift is not null)
            {
                options.PaceShift = PaceShift.Length == 0 ? null : Core.PaceShift.Parse(PaceShift);
            }
            if (Refusals is not null)
            {
                options.Refusals = Refusals.Length == 0 ? null : Core.Refusals.Parse(Refusals);
            }
            options.UrlTtlSeconds = UrlTtlSeconds ?? options.UrlTtlSeconds;
            options.ReplicateRetentionSeconds = ReplicateRetentionSeconds ?? options.ReplicateRetentionSeconds;
            options.Credits = Credits ?? options.Credits;
        }

        private Dictionary<string, GenerationTime>? ParsedTimes()
        {
            if (GenerationTime is null)
            {
                return null;
            }
            var parsed = new Dictionary<string, GenerationTime>(StringComparer.Ordinal);
            foreach (var (model, text) in GenerationTime)
            {
                if (model is not (EmulatorOptions.StandardModel or EmulatorOptions.FastModel))
                {
                    throw new ArgumentException($"generationTime takes standard and fast, not '{model}'.");
                }
                parsed[model] = Core.GenerationTime.Parse(text);
            }
            return parsed;
        }

        private static Dictionary<string, T> Merge<T>(Dictionary<string, T> current, Dictionary<string, T>? changes)
        {
            var merged = new Dictionary<string, T>(current, StringComparer.Ordinal);
            foreach (var (key, value) in changes ?? [])
            {
                merged[key] = value;
            }
            return merged;
        }
    }
}
