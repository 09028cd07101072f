using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hailuo.Emulator;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Emulator;

/// <summary>Shared steps for the fault, download and admin tests: jobs run to completion per provider, and one-off connections.</summary>
public static class EmulatorGenericHelpers
{
    public const string CoreTodayCreate = "coretoday/v1/predictions";
    public const string MiniMaxCreate = "minimax/v1/video_generation";
    public const string ReplicateCreate = "replicate/v1/models/minimax/hailuo-2.3/predictions";
    public const string CloudflareRun = "cloudflare/client/v4/accounts/acct0001/ai/run/minimax/hailuo-2.3";

    public static object CoreTodayBody(string prompt) => new { model = "minimax/hailuo-2.3", input = new { prompt } };

    public static object MiniMaxBody(string prompt) => new { model = "MiniMax-Hailuo-2.3", prompt };

    public static object ReplicateBody(string prompt) => new { input = new { prompt } };

    /// <summary>The usual create call of each provider, with a valid body.</summary>
    public static (string Path, object Body) CreateCall(string provider, string prompt = "A paper boat on a stream") => provider switch
    {
        ProviderNames.CoreToday => (CoreTodayCreate, CoreTodayBody(prompt)),
        ProviderNames.MiniMax => (MiniMaxCreate, MiniMaxBody(prompt)),
        ProviderNames.Replicate => (ReplicateCreate, ReplicateBody(prompt)),
        ProviderNames.Cloudflare => (CloudflareRun + "?queueRequest=true", new { prompt }),
        _ => throw new ArgumentException(provider),
    };

    /// <summary>
    /// Sends one request on a connection of its own. Faults that break the connection must not meet
    /// a pooled connection: HttpClient silently resends a request whose reused connection died before
    /// any reply byte, which would turn one create into two.
    /// </summary>
    public static async Task<HttpResponseMessage> SendFreshAsync(EmulatorHarness emu, HttpRequestMessage request,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var client = FreshClient(emu);
        return await client.SendAsync(request, completion);
    }

    public static HttpClient FreshClient(EmulatorHarness emu) =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, AutomaticDecompression = System.Net.DecompressionMethods.None })
        {
            BaseAddress = new Uri(emu.BaseUrl + "/"),
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>Creates a core.today job and polls it until it completes; returns its id and result URL.</summary>
    public static async Task<(string Id, string Url)> CompletedCoreTodayJobAsync(EmulatorHarness emu, string prompt = "A red kite over the sea")
    {
        var (status, created) = await emu.SendAsync(HttpMethod.Post, CoreTodayCreate, ProviderNames.CoreToday, CoreTodayBody(prompt));
        Assert.Equal(200, status);
        var id = created!["job_id"]!.GetValue<string>();
        var done = await CoreTodayJobAsync(emu, id, "completed");
        return (id, done["result"]!.GetValue<string>());
    }

    public static async Task<JsonNode> CoreTodayJobAsync(EmulatorHarness emu, string id, string status) =>
        await EventuallyAsync(
            async () => (await emu.SendAsync(HttpMethod.Get, $"coretoday/v1/predictions/{id}", ProviderNames.CoreToday)).Body!,
            b => b["status"]?.GetValue<string>() == status, $"core.today job {id} to be {status}");

    public static async Task<JsonNode> MiniMaxTaskAsync(EmulatorHarness emu, string taskId, string status) =>
        await EventuallyAsync(
            async () => (await emu.SendAsync(HttpMethod.Get, $"minimax/v1/query/video_generation?task_id={taskId}", ProviderNames.MiniMax)).Body!,
            b => b["status"]?.GetValue<string>() == status, $"MiniMax task {taskId} to be {status}");

    public static async Task<JsonNode> ReplicatePredictionAsync(EmulatorHarness emu, string id, Func<JsonNode, bool> done, string what) =>
        await EventuallyAsync(
            async () => (await emu.SendAsync(HttpMethod.Get, $"replicate/v1/predictions/{id}", ProviderNames.Replicate)).Body!,
            done, what);

    /// <summary>How many faults of one kind the stats report (0 when the kind never fired).</summary>
    public static long FaultCount(JsonObject stats, string kind) =>
        stats["faultsByKind"]![kind]?.GetValue<long>() ?? 0;

    public static JsonObject Jobs(JsonObject stats) => stats["jobs"]!.AsObject();

    public static async Task<(int Status, JsonNode? Body)> AdminAsync(EmulatorHarness emu, HttpMethod method, string path, object? json = null)
    {
        using var request = new HttpRequestMessage(method, "_emulator/" + path);
        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }
        using var response = await emu.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public static async Task SetConfigAsync(EmulatorHarness emu, object patch)
    {
        var (status, body) = await AdminAsync(emu, HttpMethod.Post, "config", patch);
        Assert.True(status == 200, $"POST /_emulator/config answered {status}: {body?.ToJsonString()}");
    }

    /// <summary>A field of an answer by its dotted path (<c>errors.0.code</c>), as text; null when it is missing.</summary>
    public static string? Field(JsonNode node, string path)
    {
        JsonNode? at = node;
        foreach (var part in path.Split('.'))
        {
            at = at is JsonArray array && int.TryParse(part, out var index) ? array[index] : at?[part];
        }
        return at switch
        {
            null => null,
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            _ => at.ToJsonString(),
        };
    }

    /// <summary>Polls the job a create answered with until it has failed; returns its id and last status answer.</summary>
    public static async Task<(string Id, JsonNode Failed)> FailedJobAsync(EmulatorHarness emu, string provider, JsonNode created) => provider switch
    {
        ProviderNames.CoreToday => (created["job_id"]!.GetValue<string>(), await CoreTodayJobAsync(emu, created["job_id"]!.GetValue<string>(), "failed")),
        ProviderNames.MiniMax => (created["task_id"]!.GetValue<string>(), await MiniMaxTaskAsync(emu, created["task_id"]!.GetValue<string>(), "Fail")),
        ProviderNames.Replicate => (created["id"]!.GetValue<string>(), await ReplicatePredictionAsync(emu, created["id"]!.GetValue<string>(),
            b => b["status"]!.GetValue<string>() == "failed", "the prediction to fail")),
        _ => throw new ArgumentException(provider),
    };

    /// <summary>Where a status answer carries the video: null when there is none.</summary>
    public static JsonNode? VideoOf(string provider, JsonNode status) => provider switch
    {
        ProviderNames.CoreToday => status["result"],
        ProviderNames.MiniMax => status["file_id"]?.GetValue<string>() is { Length: > 0 } ? status["file_id"] : null,
        ProviderNames.Replicate => status["output"],
        _ => throw new ArgumentException(provider),
    };
}
