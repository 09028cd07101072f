using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hailuo.Emulator.Core;

namespace Hailuo.Emulator.Providers;

/// <summary>
/// MiniMax's own video API: create a task, query it, then retrieve the file for a fresh download
/// link. Errors are HTTP 200 with a non-zero <c>base_resp.status_code</c>.
/// </summary>
public sealed class MiniMaxApi : ProviderApi
{
    public const string Prefix = "/minimax/v1";
    public const string Model = "MiniMax-Hailuo-2.3";
    public const string FastModel = "MiniMax-Hailuo-2.3-Fast";

    public const int RateLimitCode = 1002;
    public const int AuthCode = 1004;
    public const int BalanceCode = 1008;
    public const int SensitiveInputCode = 1026;
    public const int SensitiveOutputCode = 1027;
    public const int InvalidParamsCode = 2013;
    public const int InvalidKeyCode = 2049;

    private static readonly InputDialect Dialect = new(
        "MiniMax",
        new HashSet<string>(StringComparer.Ordinal)
        {
            "model", "prompt", "first_frame_image", "duration", "resolution", "prompt_optimizer",
            "fast_pretreatment", "callback_url", "aigc_watermark",
        },
        "768P",
        "1080P");

    private readonly ConcurrentDictionary<string, bool> _verifiedCallbacks = new(StringComparer.Ordinal);

    public MiniMaxApi(EmulatorState state, CallbackDispatcher callbacks)
        : base(state, ProviderNames.MiniMax, "MiniMax", callbacks)
    {
    }

    public override void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Prefix);
        api.MapPost("/video_generation", Handle(Operation.Create, CreateAsync));
        api.MapGet("/query/video_generation", Handle(Operation.Status, (context, _) => Task.FromResult(Query(context.Request.Query["task_id"].ToString()))));
        api.MapGet("/files/retrieve", Handle(Operation.Retrieve, (context, _) => Task.FromResult(Retrieve(context.Request.Query["file_id"].ToString()))));
    }

    private async Task<Reply> CreateAsync(HttpContext context, RequestInfo info)
    {
        var (body, problem) = await ReadObjectAsync(context.Request);
        if (problem is not null)
        {
            return Refuse(problem);
        }
        var model = body!["model"]?.GetValueKind() == JsonValueKind.String ? body["model"]!.GetValue<string>() : null;
        if (model is not (Model or FastModel))
        {
            return Refuse(new InputProblem("model", $"invalid params, model must be {Model} or {FastModel}"));
        }
        problem = InputRules.Check(body, Dialect, model == FastModel, out var resolution, out var duration);
        if (problem is not null)
        {
            return Refuse(problem);
        }
        if (info.Faults.Any(f => f.Kind == FaultKind.ContentFilter && f.Parameter == 1))
        {
            return Failure(SensitiveInputCode, "input new_sensitive: the prompt or image was flagged; change it and submit again");
        }
        var input = body.DeepClone().AsObject();
        input.Remove("model");
        var callback = InputRules.TryGetString(body, "callback_url", out var url)
            ? new Callback(new Uri(url!), new HashSet<string>(StringComparer.Ordinal))
            : null;
        // The challenge goes out before the task exists, so it precedes every status post.
        var taskId = State.NewId(15, "0123456789");
        if (callback is not null)
        {
            SendChallenge(taskId, callback);
        }
        var job = CreateJob(taskId, model, input, info, resolution, duration, callback);
        return BodyReply.Json(new JsonObject { ["task_id"] = job.Id, ["base_resp"] = Ok() });
    }

    private Reply Query(string taskId)
    {
        var job = taskId.Length > 0 ? Board.Find(taskId) : null;
        if (job is null)
        {
            return Failure(InvalidParamsCode, $"invalid params, task_id '{taskId}' not found");
        }
        Interlocked.Increment(ref job.Polls);
        return BodyReply.Json(Describe(job));
    }

    private Reply Retrieve(string fileId)
    {
        var job = fileId.Length > 0 ? Board.FindByFileId(fileId) : null;
        if (job is null || job.State != JobState.Succeeded)
        {
            return Failure(InvalidParamsCode, $"invalid params, file_id '{fileId}' not found");
        }
        var video = State.Videos.Open(job.AssetKey, State.Options.VideoBytes);
        return BodyReply.Json(new JsonObject
        {
            ["file"] = new JsonObject
            {
                ["file_id"] = long.Parse(job.FileId, System.Globalization.CultureInfo.InvariantCulture),
                ["bytes"] = video.Length,
                ["created_at"] = job.CompletedAt?.ToUnixTimeSeconds(),
                ["filename"] = $"output_{job.Id}.mp4",
                ["purpose"] = "video_generation",
                ["download_url"] = DownloadUrl(job),
            },
            ["base_resp"] = Ok(),
        });
    }

    public override JsonObject Describe(EmulatedJob job)
    {
        var (width, height) = job.State == JobState.Succeeded ? VideoLibrary.Dimensions(job.Resolution) : (0, 0);
        return new JsonObject
        {
            ["task_id"] = job.Id,
            ["status"] = StatusName(job),
            ["file_id"] = job.State == JobState.Succeeded ? job.FileId : "",
            ["video_width"] = width,
            ["video_height"] = height,
            ["base_resp"] = job.State == JobState.Failed
                ? new JsonObject { ["status_code"] = SensitiveOutputCode, ["status_msg"] = "output video sensitive: the result was flagged by the content filter" }
                : Ok(),
        };
    }

    private string StatusName(EmulatedJob job) => job.State switch
    {
        JobState.Queued => State.Now - job.CreatedAt < State.Scaled(State.Options.PreparingSeconds) ? "Preparing" : "Queueing",
        JobState.Running => "Processing",
        JobState.Succeeded => "Success",
        _ => "Fail",
    };

    /// <summary>MiniMax first proves the receiver is live: it must echo the challenge before status posts are sent.</summary>
    private void SendChallenge(string taskId, Callback callback)
    {
        var challenge = State.NewId(32);
        Callbacks.Enqueue(new CallbackDelivery(Name, callback.Url, new JsonObject { ["challenge"] = challenge })
        {
            OnDelivered = reply =>
            {
                try
                {
                    if (JsonNode.Parse(reply)?["challenge"]?.ToString() == challenge)
                    {
                        _verifiedCallbacks[taskId] = true;
                    }
                }
                catch (JsonException)
                {
                    // A receiver that does not echo the challenge gets no status posts.
                }
            },
        });
    }

    protected override void OnCallbackTransition(JobTransition transition, Callback callback)
    {
        var job = transition.Job;
        var body = Describe(job);
        body["status"] = transition.To switch
        {
            JobState.Running => "Processing",
            JobState.Succeeded => "Success",
            _ => "Fail",
        };
        Callbacks.Enqueue(new CallbackDelivery(Name, callback.Url, body)
        {
            Precondition = () => _verifiedCallbacks.ContainsKey(job.Id),
        });
    }

    private static JsonObject Ok() => new() { ["status_code"] = 0, ["status_msg"] = "success" };

    private static Reply Failure(int code, string message, int httpStatus = StatusCodes.Status200OK) =>
        BodyReply.Json(new JsonObject
        {
            ["task_id"] = "",
            ["base_resp"] = new JsonObject { ["status_code"] = code, ["status_msg"] = message },
        }, httpStatus);

    protected override Reply AuthFailure(bool missing) => missing
        ? Failure(AuthCode, "authorized failure: send your key as Authorization: Bearer <key>")
        : Failure(InvalidKeyCode, "invalid api key");

    protected override Reply RateLimited(TimeSpan retryAfter) =>
        Failure(RateLimitCode, "rate limit exceeded(RPM): slow down and retry");

    protected override Reply ServerError(int status) => Failure(1000, "unknown error", status);

    protected override Reply InsufficientCredits() =>
        Failure(BalanceCode, "insufficient balance: top up your MiniMax account");

    protected override Reply Invalid(InputProblem problem) =>
        Failure(InvalidParamsCode, $"invalid params, {problem.Message}");

    protected override Reply NotFound(string what) =>
        Failure(InvalidParamsCode, $"invalid params, {what} not found");
}
