using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Hailuo.Emulator;
using Hailuo.Media;

namespace Hailuo.Tests.Emulator;

/// <summary>
/// An emulator started in-process on 127.0.0.1:0 for one test, with a fast clock (a 2-minute job
/// takes about 0.12 s) and helpers to call it as each provider's client would.
/// </summary>
public sealed class EmulatorHarness : IAsyncDisposable
{
    public const string Key = "test-key-0123456789";

    private EmulatorHarness(EmulatorServer server)
    {
        Server = server;
        Http = new HttpClient { BaseAddress = new Uri(server.BaseUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public EmulatorServer Server { get; }

    public HttpClient Http { get; }

    public string BaseUrl => Server.BaseUrl;

    public static async Task<EmulatorHarness> StartAsync(Action<EmulatorOptions>? configure = null, TimeProvider? time = null)
    {
        var server = await EmulatorServer.StartLocalAsync(o =>
        {
            o.TimeScale = 0.001;
            configure?.Invoke(o);
        }, time);
        return new EmulatorHarness(server);
    }

    /// <summary>A request carrying the provider's own auth header.</summary>
    public static HttpRequestMessage Request(HttpMethod method, string path, string provider, object? json = null, string key = Key)
    {
        var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (provider == ProviderNames.CoreToday)
        {
            request.Headers.Add("X-API-Key", key);
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        if (json is not null)
        {
            var text = json is JsonNode node ? node.ToJsonString() : System.Text.Json.JsonSerializer.Serialize(json);
            request.Content = new StringContent(text, Encoding.UTF8, "application/json");
        }
        return request;
    }

    public async Task<(int Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, string provider, object? json = null, string key = Key)
    {
        using var request = Request(method, path, provider, json, key);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public async Task<JsonObject> StatsAsync(string provider)
    {
        var stats = await Http.GetFromJsonAsync<JsonObject>("_emulator/stats");
        return stats!["providers"]![provider]!.AsObject();
    }

    public static long Count(JsonObject stats, string name) => stats[name]!.GetValue<long>();

    public async Task SetFaultsAsync(string spec)
    {
        using var response = await Http.PostAsJsonAsync("_emulator/faults", new { spec });
        response.EnsureSuccessStatusCode();
    }

    public async Task SetFaultsAsync(object rules)
    {
        using var response = await Http.PostAsJsonAsync("_emulator/faults", new { rules });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="done"/> holds, or fails after 15 s.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}; last value: {Describe(value)}");
            }
            await Task.Delay(15);
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string text => text,
        System.Collections.IEnumerable items => $"{items.Cast<object?>().Count()} item(s): [{string.Join(", ", items.Cast<object?>())}]",
        _ => value.ToString() ?? "",
    };

    /// <summary>Downloads a URL whole and checks that it is a complete MP4 of the expected size.</summary>
    public async Task<byte[]> DownloadVideoAsync(string url, int width, int height)
    {
        var bytes = await Http.GetByteArrayAsync(url);
        AssertVideo(bytes, width, height);
        return bytes;
    }

    public static Mp4Summary AssertVideo(byte[] bytes, int width, int height)
    {
        var summary = Mp4Inspector.Inspect(new MemoryStream(bytes));
        Assert.Equal("isom", summary.MajorBrand);
        Assert.Equal(width, summary.Width);
        Assert.Equal(height, summary.Height);
        return summary;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
