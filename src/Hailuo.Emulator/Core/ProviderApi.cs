using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hailuo.Emulator.Core;

/// <summary>What the pipeline learned about a request before its handler runs.</summary>
public sealed record RequestInfo(string Account, IReadOnlyList<InjectedFault> Faults)
{
    /// <summary>The hostile answer a test set for this request, if any.</summary>
    public HostileMatch? Hostile { get; init; }

    public bool Has(FaultKind kind) => Faults.Any(f => f.Kind == kind);
}

/// <summary>
/// One provider's API. The shared pipeline (faults, auth, rate limits, stats) runs in
/// <see cref="Handle"/>; each subclass supplies its routes and its own error forms.
/// </summary>
public abstract class ProviderApi
{
    private readonly CallbackDispatcher? _callbacks;

    protected ProviderApi(EmulatorState state, string name, string label)
    {
        State = state;
        Name = name;
        Label = label;
    }

    /// <summary>
    /// As above, for a provider that sends callbacks: every change of state of a job that asked for them (not its
    /// first, queued one) goes to <see cref="OnCallbackTransition"/>, which queues what the provider sends.
    /// </summary>
    protected ProviderApi(EmulatorState state, string name, string label, CallbackDispatcher callbacks)
        : this(state, name, label)
    {
        _callbacks = callbacks;
        Board.Transitioned += transition =>
        {
            if (transition.Job.Callback is { } callback && transition.From != transition.To)
            {
                OnCallbackTransition(transition, callback);
            }
        };
    }

    public string Name { get; }

    /// <summary>The provider's name as people write it, for messages.</summary>
    public string Label { get; }

    protected EmulatorState State { get; }

    protected ProviderStats Stats => State.Stats.For(Name);

    protected JobBoard Board => State.Boards[Name];

    /// <summary>Where a provider made with a dispatcher queues its callbacks.</summary>
    protected CallbackDispatcher Callbacks => _callbacks ?? throw new InvalidOperationException($"The {Label} emulator sends no callbacks.");

    /// <summary>What the provider sends when a job that asked for callbacks changes state; nothing unless overridden.</summary>
    protected virtual void OnCallbackTransition(JobTransition transition, Callback callback)
    {
    }

    public abstract void Map(IEndpointRouteBuilder app);

    /// <summary>Turns a job's state into the provider's JSON, for replies and callbacks.</summary>
    public abstract JsonObject Describe(EmulatedJob job);

    protected abstract Reply AuthFailure(bool missing);

    protected abstract Reply RateLimited(TimeSpan retryAfter);

    protected abstract Reply ServerError(int status);

    protected abstract Reply InsufficientCredits();

    protected abstract Reply Invalid(InputProblem problem);

    protected abstract Reply NotFound(string what);

    /// <summary>Reads the caller's key; Bearer by default.</summary>
    protected virtual string? ReadKey(HttpRequest request) => BearerToken(request);

    protected static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        foreach (var scheme in new[] { "Bearer ", "Token " })
        {
            if (header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                var token = header[scheme.Length..].Trim();
                return token.Length > 0 ? token : null;
            }
        }
        return null;
    }

    /// <summary>Wraps a handler in the pipeline every request of this provider goes through.</summary>
    protected RequestDelegate Handle(Operation operation, Func<HttpContext, RequestInfo, Task<Reply>> handler, bool authenticate = true) =>
        Handle(_ => Task.FromResult(operation), handler, authenticate);

    /// <summary>As above, for endpoints whose operation depends on the request (Cloudflare polls through its run call).</summary>
    protected RequestDelegate Handle(Func<HttpContext, Task<Operation>> classify, Func<HttpContext, RequestInfo, Task<Reply>> handler, bool authenticate = true) =>
        async context =>
        {
            var operation = await classify(context);
            var stats = Stats;
            Interlocked.Increment(ref stats.Requests);
            CountOperation(stats, operation);

            var faults = State.Faults.Decide(Name, operation);
            foreach (var fault in faults)
            {
                stats.CountFault(fault.Kind);
            }
            var hostile = await TakeHostileAsync(context, operation);
            if (hostile is not null)
            {
                Interlocked.Increment(ref stats.HostileAnswers);
            }
            var info = new RequestInfo("public", faults) { Hostile = hostile };

            if (info.Has(FaultKind.Slow))
            {
                var delay = faults.First(f => f.Kind == FaultKind.Slow).Parameter ?? 2000;
                await Task.Delay(TimeSpan.FromMilliseconds(delay), context.RequestAborted);
            }
            if (info.Has(FaultKind.Reset))
            {
                context.Abort();
                return;
            }

            var reply = hostile is { Answer.Handle: false } ? null
                : EarlyReply(context, operation, info, authenticate, stats, out var account) is { } early
                    ? early
                    : await handler(context, info with { Account = account });
            if (hostile is { Answer.Status: not null })
            {
                var job = hostile.Job ?? JobOf(context);
                reply = HostileReply.For(hostile.Answer, job, job is null ? null : DownloadUrl(job), State);
            }

            if (info.Has(FaultKind.Hold))
            {
                var hold = faults.First(f => f.Kind == FaultKind.Hold).Parameter ?? 2000;
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(hold), context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client went away while the answer was held: what was done stays done.
                    return;
                }
            }
            if (info.Has(FaultKind.Drop))
            {
                context.Abort();
                return;
            }
            var damage = info.Has(FaultKind.Truncate) ? Damage.Truncate
                : info.Has(FaultKind.Malformed) ? Damage.Malformed
                : Damage.None;
            await reply!.WriteAsync(context, damage, stats);
        };

    /// <summary>
    /// The hostile answer set for this request, if any. The job's prompt is looked up only when an answer is
    /// aimed by prompt: for a create that means reading its body, which the handler then reads again.
    /// </summary>
    private async Task<HostileMatch?> TakeHostileAsync(HttpContext context, Operation operation)
    {
        if (!State.Hostile.AnyFor(Name, operation))
        {
            return null;
        }
        string? prompt = null;
        if (State.Hostile.Answers.Any(a => a.Operation == operation && a.PromptContains is not null))
        {
            prompt = operation == Operation.Create ? await PromptOfBodyAsync(context.Request) : JobOf(context)?.Input["prompt"]?.ToString();
        }
        return State.Hostile.Take(Name, operation, prompt) is { } answer ? new HostileMatch(answer) : null;
    }

    private static async Task<string?> PromptOfBodyAsync(HttpRequest request)
    {
        request.EnableBuffering();
        try
        {
            var body = await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return (body?["input"] ?? body)?["prompt"]?.ToString();
        }
        catch (JsonException)
        {
            return null;
        }
        finally
        {
            request.Body.Position = 0;
        }
    }

    /// <summary>The job a status, cancel, retrieve or download request is about, by its route or query.</summary>
    private EmulatedJob? JobOf(HttpContext context)
    {
        var request = context.Request;
        var fileId = request.RouteValues["fileId"] as string ?? request.Query["file_id"].ToString();
        if (fileId.Length > 0)
        {
            return FindByFileId(fileId);
        }
        var id = request.RouteValues["id"] as string ?? request.Query["task_id"].ToString();
        return id.Length > 0 ? Board.Find(id) : null;
    }

    /// <summary>
    /// The answer a request gets before its handler (a fault, a bad key, a rate limit, no credits), or null; and the
    /// account it is made for, hashed here once for both the rate limit and the handler.
    /// </summary>
    private Reply? EarlyReply(HttpContext context, Operation operation, RequestInfo info, bool authenticate, ProviderStats stats, out string account)
    {
        account = "public";
        if (info.Has(FaultKind.ServerError))
        {
            return ServerError(StatusCodes.Status503ServiceUnavailable);
        }
        if (info.Has(FaultKind.RateLimit))
        {
            var seconds = info.Faults.First(f => f.Kind == FaultKind.RateLimit).Parameter ?? 1;
            Interlocked.Increment(ref stats.RateLimited);
            return RateLimited(State.Scaled(seconds));
        }
        if (authenticate)
        {
            var key = ReadKey(context.Request);
            if (string.IsNullOrEmpty(key) || (State.Options.ApiKey is { } expected && key != expected))
            {
                Interlocked.Increment(ref stats.AuthFailures);
                return AuthFailure(missing: string.IsNullOrEmpty(key));
            }
            account = EmulatorState.AccountOf(key);
        }
        if (CheckRateLimits(operation, account) is { } wait)
        {
            Interlocked.Increment(ref stats.RateLimited);
            return RateLimited(wait);
        }
        if (info.Has(FaultKind.Credits))
        {
            return InsufficientCredits();
        }
        return null;
    }

    /// <summary>Checks the create or read window and the provider-wide one; only downloads are exempt (they hit the CDN).</summary>
    private TimeSpan? CheckRateLimits(Operation operation, string account)
    {
        if (operation is Operation.Download)
        {
            return null;
        }
        var scope = operation == Operation.Create ? "create" : "read";
        var minute = State.Scaled(60);
        foreach (var key in new[] { $"{Name}.{scope}", $"{Name}.all" })
        {
            var limit = State.Options.RateLimits.GetValueOrDefault(key);
            if (State.Rates.TryAcquire($"{key}|{account}", limit, minute) is { } wait)
            {
                return wait;
            }
        }
        return null;
    }

    private static void CountOperation(ProviderStats stats, Operation operation)
    {
        switch (operation)
        {
            case Operation.Create: Interlocked.Increment(ref stats.CreateRequests); break;
            case Operation.Status: Interlocked.Increment(ref stats.StatusPolls); break;
            case Operation.Cancel: Interlocked.Increment(ref stats.Cancels); break;
            case Operation.Retrieve: Interlocked.Increment(ref stats.Retrieves); break;
            case Operation.Download: Interlocked.Increment(ref stats.Downloads); break;
            case Operation.Upload: Interlocked.Increment(ref stats.Uploads); break;
            case Operation.List: Interlocked.Increment(ref stats.Lists); break;
        }
    }

    /// <summary>Reads a JSON object body; null with a problem when it is not one.</summary>
    protected static async Task<(JsonObject? Body, InputProblem? Problem)> ReadObjectAsync(HttpRequest request)
    {
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return node is JsonObject obj
                ? (obj, null)
                : (null, new InputProblem("body", "The request body must be a JSON object."));
        }
        catch (JsonException e)
        {
            return (null, new InputProblem("body", $"The request body is not valid JSON: {e.Message}"));
        }
    }

    /// <summary>Counts an invalid request and answers it in the provider's form.</summary>
    protected Reply Refuse(InputProblem problem)
    {
        Interlocked.Increment(ref Stats.InvalidRequests);
        return Invalid(problem);
    }

    /// <summary>An input that passed the rules, with the values the job will run with.</summary>
    protected sealed record CheckedInput(JsonObject Input, string Resolution, int Duration, Callback? Callback);

    /// <summary>
    /// Checks a <c>{input, webhook, [events]}</c> body, as core.today and Replicate take it: the input
    /// against the rules, then the webhook URL and its event filter.
    /// </summary>
    protected static InputProblem? CheckWrappedInput(JsonObject body, InputDialect dialect, bool fastModel, string eventsField,
        IReadOnlySet<string> defaultEvents, out CheckedInput? result)
    {
        result = null;
        if (body["input"] is not JsonObject input)
        {
            return new InputProblem("input", "input is required: an object with at least a prompt.");
        }
        var problem = InputRules.Check(input, dialect, fastModel, out var resolution, out var duration);
        if (problem is not null)
        {
            return problem;
        }
        Callback? callback = null;
        if (body["webhook"] is JsonNode hook)
        {
            if (hook.GetValueKind() != JsonValueKind.String || !Uri.TryCreate(hook.GetValue<string>(), UriKind.Absolute, out var url))
            {
                return new InputProblem("webhook", "webhook must be an absolute URL.");
            }
            var events = body[eventsField] is JsonArray list
                ? list.Select(e => e?.ToString() ?? "").ToHashSet(StringComparer.Ordinal)
                : defaultEvents;
            callback = new Callback(url, events);
        }
        result = new CheckedInput(input, resolution, duration, callback);
        return null;
    }

    /// <summary>Answers a status read: the job as the provider describes it, counting the poll.</summary>
    protected Reply StatusOf(string id)
    {
        var job = Board.Find(id);
        if (job is null)
        {
            return NotFound(id);
        }
        Interlocked.Increment(ref job.Polls);
        return BodyReply.Json(Describe(job));
    }

    /// <summary>Cancels a job that has not finished and describes it; a finished job is described as it is.</summary>
    protected Reply CancelOf(string id)
    {
        var job = Board.Cancel(id);
        return job is null ? NotFound(id) : BodyReply.Json(Describe(job));
    }

    /// <summary>Creates a job from a checked input, drawing its generation time and fate.</summary>
    protected EmulatedJob CreateJob(string id, string model, JsonObject input, RequestInfo info, string resolution, int duration, Callback? callback)
    {
        var (time, refused) = State.DrawGenerationTime(Name, model, resolution, duration);
        var job = new EmulatedJob
        {
            Id = info.Hostile?.Answer.JobId ?? id,
            Provider = Name,
            Model = model,
            Account = info.Account,
            Input = input,
            InputHash = EmulatorState.HashInput(model, input),
            Resolution = resolution,
            Duration = duration,
            GenerationTime = time,
            CreatedAt = State.Now,
            FileId = State.NewId(15, "0123456789"),
            Callback = callback,
            WillBeFiltered = refused || info.Has(FaultKind.ContentFilter),
        };
        State.AddJob(job);
        if (info.Hostile is { } hostile)
        {
            hostile.Job = job;
        }
        return job;
    }

    /// <summary>A fresh signed link to a job's video, valid for the configured time.</summary>
    protected string DownloadUrl(EmulatedJob job) =>
        State.PublicBaseUrl + State.Links.Sign(Name, job.FileId, State.Now + State.Scaled(State.Options.UrlTtlSeconds));

    /// <summary>Retry-After in whole seconds, rounded up so a client that honours it is never early.</summary>
    public static string RetryAfterHeader(TimeSpan wait) =>
        Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture) ?? "";

    public static JsonNode? IsoOrNull(DateTimeOffset? time) => time is null ? null : JsonValue.Create(Iso(time));

    /// <summary>Finds the job a download link points at, by its file id.</summary>
    public EmulatedJob? FindByFileId(string fileId) => Board.FindByFileId(fileId);

    /// <summary>
    /// Serves a video download: checks the signed link and the job, applies expiry, then streams.
    /// Retention (Replicate's one hour) is checked by <see cref="IsRemoved"/>.
    /// </summary>
    public RequestDelegate DownloadHandler() => Handle(Operation.Download, (context, info) =>
    {
        var fileId = (string)context.Request.RouteValues["fileId"]!;
        var job = FindByFileId(fileId);
        var verdict = State.Links.Check(Name, fileId, context.Request.Query["expires"], context.Request.Query["sig"], State.Now);
        if (job is null || verdict == LinkSigner.Verdict.Forged)
        {
            return Task.FromResult<Reply>(BodyReply.Text("Not Found", StatusCodes.Status404NotFound));
        }
        if (IsRemoved(job))
        {
            return Task.FromResult<Reply>(BodyReply.Text("This file has been deleted.", StatusCodes.Status404NotFound));
        }
        if (verdict == LinkSigner.Verdict.Expired || info.Has(FaultKind.Expire))
        {
            return Task.FromResult<Reply>(ExpiredLink());
        }
        Interlocked.Increment(ref job.Downloads);
        var video = State.Videos.Open(job.AssetKey, State.Options.VideoBytes);
        return Task.FromResult<Reply>(new VideoReply(video, $"{job.Id}.mp4", HttpMethods.IsHead(context.Request.Method)));
    }, authenticate: false);

    /// <summary>Whether the provider has deleted a finished job's output.</summary>
    protected virtual bool IsRemoved(EmulatedJob job) => false;

    /// <summary>An expired signed link, answered as object stores do.</summary>
    protected virtual Reply ExpiredLink() =>
        BodyReply.Text("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
            StatusCodes.Status403Forbidden, "application/xml");
}
