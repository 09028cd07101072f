using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hailuo.Tests.Emulator;

/// <summary>A webhook receiver on 127.0.0.1:0 that records every POST and, like a well-behaved MiniMax receiver, echoes a challenge.</summary>
public sealed class CallbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CallbackReceiver(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public sealed record Delivery(string Body, IReadOnlyDictionary<string, string> Headers);

    public string Url { get; }

    public ConcurrentQueue<Delivery> Received { get; } = new();

    /// <summary>When false, the receiver answers challenges with an empty object, as a dead endpoint would.</summary>
    public bool EchoChallenges { get; set; } = true;

    public static async Task<CallbackReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        CallbackReceiver? self = null;
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            self!.Received.Enqueue(new Delivery(body, request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            var challenge = JsonNode.Parse(body)?["challenge"];
            return challenge is not null && self.EchoChallenges
                ? Results.Json(new { challenge = challenge.GetValue<string>() })
                : Results.Json(new { });
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new CallbackReceiver(app, address.TrimEnd('/') + "/hook");
        // A live receiver answers at once. Its first request builds the endpoint, which on a busy machine can take
        // longer than the 3 s a provider gives a callback; take that first request here, then forget it.
        using (var warm = new HttpClient())
        using (var reply = await warm.PostAsync(self.Url, new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
        {
            reply.EnsureSuccessStatusCode();
        }
        self.Received.Clear();
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
