using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hailuo.Emulator.Core;

namespace Hailuo.Emulator.Providers;

/// <summary>
/// Replicate's predictions API for minimax/hailuo-2.3: official-model creates that honour
/// <c>Prefer: wait</c>, RFC 7807 errors, signed webhooks, and outputs deleted after an hour.
/// </summary>
public sealed partial class ReplicateApi : ProviderApi
{
    public const string Prefix = "/replicate/v1";
    public const string Model = "minimax/hailuo-2.3";
    public const string FastModel = "minimax/hailuo-2.3-fast";
    public const string SensitiveError = "The input or output was flagged as sensitive. Please try again with different inputs. (E005)";

    private static readonly InputDialect Dialect = new(
        "Replicate",
        new HashSet<string>(StringComparer.Ordinal) { "prompt", "first_frame_image", "duration", "resolution", "prompt_optimizer" },
        "768p",
        "1080p");

    private static readonly IReadOnlySet<string> AllEvents = new HashSet<string>(StringComparer.Ordinal) { "start", "output", "logs", "completed" };

    public ReplicateApi(EmulatorState state, CallbackDispatcher callbacks)
        : base(state, ProviderNames.Replicate, "Replicate", callbacks)
    {
    }

    public override void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Prefix);
        api.MapPost("/models/minimax/{name}/predictions", Handle(Operation.Create, CreateAsync));
        api.MapGet("/predictions", Handle(Operation.List, (context, info) => Task.FromResult(List(context.Request, info.Account))));
        api.MapGet("/predictions/{id}", Handle(Operation.Status, (context, _) => Task.FromResult(StatusOf(RouteId(context)))));
        api.MapPost("/predictions/{id}/cancel", Handle(Operation.Cancel, (context, _) => Task.FromResult(CancelOf(RouteId(context)))));
        api.MapGet("/webhooks/default/secret", Handle(Operation.Other, (_, _) =>
            Task.FromResult<Reply>(BodyReply.Json(new JsonObject { ["key"] = State.WebhookSecret }))));
    }

    private static string RouteId(HttpContext context) => (string)context.Request.RouteValues["id"]!;

    private async Task<Reply> CreateAsync(HttpContext context, RequestInfo info)
    {
        var model = "minimax/" + (string)context.Request.RouteValues["name"]!;
        if (model is not (Model or FastModel))
        {
            return NotFound(model);
        }
        var (body, problem) = await ReadObjectAsync(context.Request);
        if (problem is not null)
        {
            return Refuse(problem);
        }
        problem = CheckWrappedInput(body!, Dialect, model == FastModel, "webhook_events_filter", AllEvents, out var input);
        if (problem is not null)
        {
            return Refuse(problem);
        }
        var job = CreateJob(State.NewId(26), model, input!.Input, info, input.Resolution, input.Duration, input.Callback);

        if (PreferWait(context.Request.Headers["Prefer"].ToString()) is { } wait)
        {
            try
            {
                await job.Finished.WaitAsync(wait, context.RequestAborted);
            }
            catch (TimeoutException)
            {
                // Still running when the wait ends: answer with the prediction as it is, as Replicate does.
            }
            Board.Advance();
        }
        return BodyReply.Json(Describe(job), StatusCodes.Status201Created);
    }

    /// <summary>
    /// The account's predictions, newest first, 100 a page, as Replicate lists them: <c>created_after</c> and
    /// <c>created_before</c> (ISO 8601) narrow the window, and <c>next</c> is the URL of the next page.
    /// </summary>
    private Reply List(HttpRequest request, string account)
    {
        const int PageSize = 100;
        if (!TryTime(request, "created_after", out var after, out var problem) || !TryTime(request, "created_before", out var before, out problem))
        {
            return problem!;
        }
        // The cursor is where the previous page stopped: the creation time and id of its last prediction.
        (DateTimeOffset At, string Id)? cursor = null;
        var cursorText = request.Query["cursor"].ToString();
        if (cursorText.Length > 0)
        {
            var parts = cursorText.Split('.', 2);
            if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid cursor", $"'{cursorText}' is not a cursor this API gave out.");
            }
            cursor = (new DateTimeOffset(ticks, TimeSpan.Zero), parts[1]);
        }
        Board.Advance();
        var matching = Board.Snapshot()
            .Where(j => j.Account == account && (after is null || j.CreatedAt > after) && (before is null || j.CreatedAt < before))
            .OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id, StringComparer.Ordinal)
            .Where(j => cursor is not { } c || j.CreatedAt < c.At || (j.CreatedAt == c.At && string.CompareOrdinal(j.Id, c.Id) < 0))
            .Take(PageSize + 1)
            .ToList();
        string? next = null;
        if (matching.Count > PageSize)
        {
            matching.RemoveAt(PageSize);
            var last = matching[^1];
            var query = request.Query.Where(q => q.Key != "cursor").Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}")
                .Append($"cursor={last.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}.{last.Id}");
            next = $"{State.PublicBaseUrl}{Prefix}/predictions?{string.Join("&", query)}";
        }
        var results = new JsonArray();
        foreach (var job in matching)
        {
            results.Add(Describe(job));
        }
        return BodyReply.Json(new JsonObject { ["next"] = next, ["previous"] = null, ["results"] = results });
    }

    private static bool TryTime(HttpRequest request, string name, out DateTimeOffset? time, out Reply? problem)
    {
        time = null;
        problem = null;
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return true;
        }
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            problem = Problem(StatusCodes.Status400BadRequest, "Invalid query", $"{name} must be an ISO 8601 time, not '{text}'.");
            return false;
        }
        time = parsed;
        return true;
    }

    /// <summary><c>Prefer: wait</c> holds up to 60 s; <c>wait=n</c> up to n seconds (1 to 60).</summary>
    public static TimeSpan? PreferWait(string header)
    {
        var match = PreferWaitPattern().Match(header);
        if (!match.Success)
        {
            return null;
        }
        var seconds = match.Groups[1].Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 60;
        return TimeSpan.FromSeconds(Math.Clamp(seconds, 1, 60));
    }

    [GeneratedRegex(@"(?:^|[,;\s])wait(?:=(\d+))?\b", RegexOptions.IgnoreCase)]
    private static partial Regex PreferWaitPattern();

    protected override bool IsRemoved(EmulatedJob job) =>
        job.CompletedAt is { } done && State.Now > done + State.Scaled(State.Options.ReplicateRetentionSeconds);

    public override JsonObject Describe(EmulatedJob job)
    {
        var removed = IsRemoved(job);
        var self = $"{State.PublicBaseUrl}{Prefix}/predictions/{job.Id}";
        JsonNode? metrics = job.StartedAt is { } started && job.CompletedAt is { } completed
            ? new JsonObject { ["predict_time"] = Math.Round((completed - started).TotalSeconds / State.Options.TimeScale, 3) }
            : new JsonObject();
        return new JsonObject
        {
            ["id"] = job.Id,
            ["model"] = job.Model,
            ["version"] = "hidden",
            // Replicate deletes an API prediction's input with its output.
            ["input"] = removed ? null : job.Input.DeepClone(),
            ["logs"] = job.State == JobState.Queued ? "" : "Generating video...\n",
            ["output"] = job.State == JobState.Succeeded && !removed ? DownloadUrl(job) : null,
            ["data_removed"] = removed,
            ["error"] = job.State == JobState.Failed ? SensitiveError : null,
            ["status"] = job.State switch
            {
                JobState.Queued => "starting",
                JobState.Running => "processing",
                JobState.Succeeded => "succeeded",
                JobState.Failed => "failed",
                _ => "canceled",
            },
            ["source"] = "api",
            ["created_at"] = Iso(job.CreatedAt),
            ["started_at"] = IsoOrNull(job.StartedAt),
            ["completed_at"] = IsoOrNull(job.CompletedAt),
            ["urls"] = new JsonObject
            {
                ["get"] = self,
                ["cancel"] = self + "/cancel",
                ["web"] = $"https://replicate.com/p/{job.Id}",
            },
            ["metrics"] = metrics,
        };
    }

    protected override void OnCallbackTransition(JobTransition transition, Callback callback)
    {
        var job = transition.Job;
        var events = new List<string>();
        if (transition.To == JobState.Running)
        {
            events.Add("start");
        }
        if (transition.To == JobState.Succeeded)
        {
            events.Add("output");
        }
        if (job.IsFinal)
        {
            events.Add("completed");
        }
        // One delivery per change, sent if the filter asks for any of the events it stands for.
        if (!events.Any(callback.Events.Contains))
        {
            return;
        }
        Callbacks.Enqueue(new CallbackDelivery(Name, callback.Url, Describe(job)) { Sign = SignWebhook });
    }

    /// <summary>Standard Webhooks signing: HMAC-SHA256 over "id.timestamp.body" with the secret after "whsec_".</summary>
    private Dictionary<string, string> SignWebhook(string body)
    {
        var id = "msg_" + State.NewId(24);
        var timestamp = State.Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var key = Convert.FromBase64String(State.WebhookSecret["whsec_".Length..]);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
        return new Dictionary<string, string>
        {
            ["webhook-id"] = id,
            ["webhook-timestamp"] = timestamp,
            ["webhook-signature"] = "v1," + signature,
        };
    }

    private static Reply Problem(int status, string title, string detail, JsonObject? extra = null)
    {
        var body = new JsonObject { ["type"] = "about:blank", ["title"] = title, ["status"] = status, ["detail"] = detail };
        foreach (var (name, value) in extra ?? [])
        {
            body[name] = value?.DeepClone();
        }
        return BodyReply.Json(body, status, "application/problem+json");
    }

    protected override Reply AuthFailure(bool missing) =>
        Problem(StatusCodes.Status401Unauthorized, "Unauthenticated", "You did not pass a valid authentication token");

    protected override Reply RateLimited(TimeSpan retryAfter)
    {
        var seconds = Math.Round(Math.Max(retryAfter.TotalSeconds, 0.001), 3);
        return Problem(StatusCodes.Status429TooManyRequests, "Request was throttled.",
                $"Request was throttled. Expected available in {Math.Ceiling(seconds)} second(s).",
                new JsonObject { ["retry_after"] = seconds })
            .WithHeader("Retry-After", RetryAfterHeader(retryAfter));
    }

    protected override Reply ServerError(int status) =>
        Problem(status, "Service Unavailable", "Replicate is temporarily unavailable. Please try again.");

    protected override Reply InsufficientCredits() =>
        Problem(StatusCodes.Status402PaymentRequired, "Insufficient credit",
            "You have insufficient credit to run this model. Go to https://replicate.com/account/billing#billing to purchase credit.");

    protected override Reply Invalid(InputProblem problem) =>
        Problem(StatusCodes.Status422UnprocessableEntity, "Input validation failed", $"- input.{problem.Field}: {problem.Message}",
            new JsonObject
            {
                ["invalid_fields"] = new JsonArray(new JsonObject
                {
                    ["type"] = "invalid",
                    ["field"] = "input." + problem.Field,
                    ["description"] = problem.Message,
                }),
            });

    protected override Reply NotFound(string what) =>
        Problem(StatusCodes.Status404NotFound, "Not found", $"'{what}' was not found.");
}
