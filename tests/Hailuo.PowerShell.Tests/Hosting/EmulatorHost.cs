using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hailuo.Emulator;
using Hailuo.Emulator.Providers;

namespace Hailuo.PowerShell.Tests.Hosting;

/// <summary>
/// The emulator, started in this process on 127.0.0.1:0 with a fast clock (a job of the published 30-90 s
/// takes 30-90 ms), and what a test reads of it: the API root per provider and its counters.
/// </summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    /// <summary>A key long enough that it occurs in no id or URL by chance.</summary>
    public const string Key = "ps-test-key-6f1d2c9a8b7e";

    /// <summary>
    /// A callback URL that validation accepts (http, but to this computer) and that reaches nothing: the emulator calls
    /// back only to loopback, and nothing listens on the discard port.
    /// </summary>
    public const string UnreachableCallback = "http://127.0.0.1:9/hook";

    private readonly HttpClient _http;

    private EmulatorHost(EmulatorServer server)
    {
        Server = server;
        _http = new HttpClient { BaseAddress = new Uri(server.BaseUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public EmulatorServer Server { get; }

    public string Url => Server.BaseUrl;

    public static async Task<EmulatorHost> StartAsync(Action<EmulatorOptions>? configure = null)
    {
        var server = await EmulatorServer.StartLocalAsync(o =>
        {
            o.TimeScale = 0.001;
            configure?.Invoke(o);
        });
        return new EmulatorHost(server);
    }

    /// <summary>The API root a user passes to Connect-Hailuo -BaseUri for a provider.</summary>
    public string BaseUri(string provider = "CoreToday") => EmulatorServer.ApiRoot(Server.BaseUri, provider.ToLowerInvariant()).ToString();

    /// <summary>One counter of a provider's stats, such as creates (paid jobs), statusPolls or downloads.</summary>
    public async Task<long> CountAsync(string counter, string provider = ProviderNames.CoreToday)
    {
        var stats = await _http.GetFromJsonAsync<JsonObject>("_emulator/stats?jobs=false");
        return stats!["providers"]![provider]![counter]!.GetValue<long>();
    }

    public long Count(string counter, string provider = ProviderNames.CoreToday) => CountAsync(counter, provider).GetAwaiter().GetResult();

    /// <summary>Every job the provider has made, by id, with its state now: Queued, Running, Succeeded, Failed or Canceled.</summary>
    public IReadOnlyDictionary<string, string> JobStates(string provider = ProviderNames.CoreToday)
    {
        var stats = _http.GetFromJsonAsync<JsonObject>("_emulator/stats?jobs=true").GetAwaiter().GetResult();
        return stats!["providers"]![provider]!["jobs"]!.AsObject()
            .ToDictionary(job => job.Key, job => job.Value!["status"]!.GetValue<string>(), StringComparer.Ordinal);
    }

    /// <summary>Replaces the fault rules, in the compact form of the emulator's --faults.</summary>
    public void SetFaults(string spec)
    {
        using var response = _http.PostAsJsonAsync("_emulator/faults", new { spec }).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Replaces the fault rules with these, such as <c>new { kind = "ContentFilter", operation = "Create", times = 1 }</c>.</summary>
    public void SetFaultRules(params object[] rules)
    {
        using var response = _http.PostAsJsonAsync("_emulator/faults", new { rules }).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Server.DisposeAsync();
    }
}
