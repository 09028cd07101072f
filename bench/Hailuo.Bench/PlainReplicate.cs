using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Hailuo.Bench;

/// <summary>A prediction as a status read returns it.</summary>
public sealed record PredictionState(bool RateLimited, string? Status, string? Output)
{
    public bool IsFinal => Status is "succeeded" or "failed" or "canceled";
}

/// <summary>
/// Replicate's HTTP API with nothing but HttpClient: what a script or replicate-python's run() does,
/// for the alternatives the engine is measured against. No limiter, no retries beyond honouring a
/// 429 on a create.
/// </summary>
public sealed class PlainReplicate : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _api;

    public PlainReplicate(Uri emulator)
    {
        _http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        _api = emulator.ToString().TrimEnd('/') + "/replicate/v1";
    }

    public async Task<string> CreateAsync(string prompt, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["input"] = new JsonObject { ["prompt"] = prompt, ["duration"] = 6, ["resolution"] = "768p" } };
        while (true)
        {
            using var request = Api(HttpMethod.Post, "/models/minimax/hailuo-2.3/predictions");
            request.Content = JsonContent.Create(body);
            using var response = await _http.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), cancellationToken);
                continue;
            }
            response.EnsureSuccessStatusCode();
            var created = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
            return created?["id"]?.GetValue<string>() ?? throw new InvalidOperationException("The create answer names no id.");
        }
    }

    /// <summary>One status read; a 429 is reported, not retried, so that the caller's schedule stays its own.</summary>
    public async Task<PredictionState> GetAsync(string id, CancellationToken cancellationToken)
    {
        using var request = Api(HttpMethod.Get, "/predictions/" + id);
        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return new PredictionState(true, null, null);
        }
        response.EnsureSuccessStatusCode();
        var prediction = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
        return new PredictionState(false, prediction?["status"]?.GetValue<string>(), prediction?["output"]?.GetValue<string>());
    }

    public async Task<long> DownloadAsync(string url, string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var file = File.Create(path);
        await response.Content.CopyToAsync(file, cancellationToken);
        return file.Length;
    }

    /// <summary>An API request with the key; download links are pre-signed and get none.</summary>
    private HttpRequestMessage Api(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, _api + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Lab.Key);
        return request;
    }

    public void Dispose() => _http.Dispose();
}
