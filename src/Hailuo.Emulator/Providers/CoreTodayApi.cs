using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hailuo.Emulator.Core;

namespace Hailuo.Emulator.Providers;

/// <summary>
/// core.today's prediction API (seed 000): POST/GET/DELETE /predictions, X-API-Key auth, 420 credits
/// a video, and its two documented reply shapes.
/// </summary>
public sealed class CoreTodayApi : ProviderApi
{
    public const string Prefix = "/coretoday/v1";
    public const string Model = "minimax/hailuo-2.3";
    public const string FastModel = "minimax/hailuo-2.3-fast";

    private static readonly InputDialect Dialect = new(
        "core.today",
        new HashSet<string>(StringComparer.Ordinal) { "prompt", "first_frame_image", "duration", "resolution", "prompt_optimizer" },
        "768p",
        "1080p");

    private static readonly IReadOnlySet<string> DefaultEvents = new HashSet<string>(StringComparer.Ordinal) { "completed", "failed" };

    private readonly ConcurrentDictionary<string, (byte[] Bytes, string MediaType)> _uploads = new(StringComparer.Ordinal);

    public CoreTodayApi(EmulatorState state, CallbackDispatcher callbacks)
        : base(state, ProviderNames.CoreToday, "core.today", callbacks)
    {
    }

    private bool LegacyShape => State.Options.CoreTodayShape == CoreTodayShape.Predictions;

    public override void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Prefix);
        api.MapPost("/predictions", Handle(Operation.Create, CreateAsync));
        api.MapPost("/predictions/upload", Handle(Operation.Create, UploadAsync));
        api.MapGet("/predictions/{id}", Handle(Operation.Status, (context, _) => Task.FromResult(StatusOf(RouteId(context)))));
        api.MapDelete("/predictions/{id}", Handle(Operation.Cancel, (context, _) => Task.FromResult(CancelOf(RouteId(context)))));
        // Uploaded first frames are served back so the job's input can point at them.
        api.MapGet("/uploads/{id}", (string id) => _uploads.TryGetValue(id, out var image)
            ? Results.Bytes(image.Bytes, image.MediaType)
            : Results.NotFound());
    }

    private static string RouteId(HttpContext context) => (string)context.Request.RouteValues["id"]!;

    protected override string? ReadKey(HttpRequest request)
    {
        var key = request.Headers["X-API-Key"].ToString();
        return key.Length > 0 ? key : BearerToken(request);
    }

    private async Task<Reply> CreateAsync(HttpContext context, RequestInfo info)
    {
        var (body, problem) = await ReadObjectAsync(context.Request);
        return problem is not null ? Refuse(problem) : Create(body!, info);
    }

    /// <summary>Multipart: <c>model</c>, <c>input</c> as a JSON string, and the image as <c>first_frame_image</c> (or <c>file:first_frame_image</c>).</summary>
    private async Task<Reply> UploadAsync(HttpContext context, RequestInfo info)
    {
        Interlocked.Increment(ref Stats.Uploads);
        if (!context.Request.HasFormContentType)
        {
            return Refuse(new InputProblem("body", "Send multipart/form-data with the parts model, input and first_frame_image."));
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var body = new JsonObject { ["model"] = form["model"].ToString() };
        JsonObject input;
        try
        {
            input = JsonNode.Parse(form["input"].ToString() is { Length: > 0 } text ? text : "{}") as JsonObject
                ?? throw new JsonException("not an object");
        }
        catch (JsonException)
        {
            return Refuse(new InputProblem("input", "The input part must be a JSON object, for example {\"prompt\":\"...\"}."));
        }
        var file = form.Files.GetFile("first_frame_image") ?? form.Files.GetFile("file:first_frame_image");
        if (file is null)
        {
            return Refuse(new InputProblem("first_frame_image", "Attach the image as the multipart part first_frame_image."));
        }
        if (file.Length > InputRules.MaxImageBytes)
        {
            return Refuse(new InputProblem("first_frame_image", "first_frame_image is larger than 20 MB; send a smaller image."));
        }
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, context.RequestAborted);
        var bytes = buffer.ToArray();
        var mediaType = ImageFormat.Detect(bytes);
        if (mediaType is null)
        {
            return Refuse(new InputProblem("first_frame_image", "first_frame_image must be a JPG, PNG or WebP image."));
        }
        var uploadId = State.NewId(20);
        _uploads[uploadId] = (bytes, mediaType);
        input["first_frame_image"] = $"{State.PublicBaseUrl}{Prefix}/uploads/{uploadId}";
        body["input"] = input;
        return Create(body, info);
    }

    private Reply Create(JsonObject body, RequestInfo info)
    {
        var model = body["model"]?.GetValueKind() == JsonValueKind.String ? body["model"]!.GetValue<string>() : null;
        if (model is not (Model or FastModel))
        {
            return Refuse(new InputProblem("model", $"model must be '{Model}' or '{FastModel}'."));
        }
        var problem = CheckWrappedInput(body, Dialect, model == FastModel, "webhook_events", DefaultEvents, out var input);
        if (problem is not null)
        {
            return Refuse(problem);
        }
        if (!State.TryCharge(info.Account, State.Options.CreditsPerVideo))
        {
            return InsufficientCredits();
        }
        var job = CreateJob(NewJobId(), model, input!.Input, info, input.Resolution, input.Duration, input.Callback);
        return BodyReply.Json(Describe(job));
    }

    private string NewJobId() => LegacyShape ? State.NewId(26) : "job_" + State.NewId(20);

    public override JsonObject Describe(EmulatedJob job)
    {
        var url = job.State == JobState.Succeeded ? DownloadUrl(job) : null;
        var legacy = LegacyShape;
        var described = new JsonObject
        {
            [legacy ? "id" : "job_id"] = job.Id,
            ["status"] = (job.State, legacy) switch
            {
                (JobState.Queued, false) => "pending",
                (JobState.Queued, true) => "starting",
                (JobState.Running, _) => "processing",
                (JobState.Succeeded, false) => "completed",
                (JobState.Succeeded, true) => "succeeded",
                (JobState.Failed, _) => "failed",
                (_, false) => "cancelled",
                (_, true) => "canceled",
            },
            ["provider"] = "replicate",
            ["model"] = job.Model,
            ["created_at"] = Iso(job.CreatedAt),
            ["started_at"] = IsoOrNull(job.StartedAt),
            ["completed_at"] = IsoOrNull(job.CompletedAt),
        };
        // The seed's shape holds the URL in result; the second documented shape lists it in output.
        described[legacy ? "output" : "result"] = url is null ? null : legacy ? new JsonArray(url) : url;
        described["error"] = job.State == JobState.Failed
            ? "Content flagged by the safety filter. Change the prompt or image and submit again."
            : null;
        return described;
    }

    protected override void OnCallbackTransition(JobTransition transition, Callback callback)
    {
        var job = transition.Job;
        var name = transition.To switch
        {
            JobState.Succeeded => "completed",
            JobState.Failed => "failed",
            JobState.Canceled => "cancelled",
            _ => null,
        };
        if (name is null || !callback.Events.Contains(name))
        {
            return;
        }
        var body = Describe(job);
        body["event"] = name;
        Callbacks.Enqueue(new CallbackDelivery(Name, callback.Url, body)
        {
            Headers = { ["X-CoreToday-Event"] = name },
        });
    }

    protected override Reply AuthFailure(bool missing) => BodyReply.Json(new JsonObject
    {
        ["error"] = missing
            ? "Missing API key: send it in the X-API-Key header."
            : "Invalid API key: check the key in your core.today dashboard.",
    }, StatusCodes.Status401Unauthorized);

    protected override Reply RateLimited(TimeSpan retryAfter)
    {
        var seconds = Math.Max(retryAfter.TotalSeconds, 0.001);
        return BodyReply.Json(new JsonObject
        {
            ["error"] = "Rate limit exceeded. Retry after the time given.",
            ["retry_after"] = Math.Round(seconds, 3),
        }, StatusCodes.Status429TooManyRequests).WithHeader("Retry-After", RetryAfterHeader(retryAfter));
    }

    protected override Reply ServerError(int status) => BodyReply.Json(new JsonObject
    {
        ["error"] = "The service is temporarily unavailable. Try again shortly.",
    }, status);

    protected override Reply InsufficientCredits() => BodyReply.Json(new JsonObject
    {
        ["error"] = $"Insufficient credits: a Hailuo 2.3 video costs {State.Options.CreditsPerVideo} credits. Top up your core.today balance and submit again.",
        ["credits_required"] = State.Options.CreditsPerVideo,
    }, StatusCodes.Status402PaymentRequired);

    protected override Reply Invalid(InputProblem problem) => BodyReply.Json(new JsonObject
    {
        ["error"] = problem.Message,
        ["field"] = problem.Field,
    }, StatusCodes.Status400BadRequest);

    protected override Reply NotFound(string what) => BodyReply.Json(new JsonObject
    {
        ["error"] = $"Job '{what}' was not found.",
    }, StatusCodes.Status404NotFound);
}
