using System.Globalization;
using Hailuo.Emulator.Core;
using Hailuo.Emulator.Providers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Hailuo.Emulator;

/// <summary>
/// A running emulator: the same app whether started from the command line or in-process by a test
/// on port 0. Dispose it to stop.
/// </summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmulatorServer(WebApplication app, EmulatorState state)
    {
        _app = app;
        State = state;
    }

    /// <summary>The header on every answer that says the emulator's --time-scale.</summary>
    public const string TimeScaleHeader = "X-Emulator-Time-Scale";

    public EmulatorState State { get; }

    /// <summary>The bound base URL, such as http://127.0.0.1:54321, without a trailing slash.</summary>
    public string BaseUrl => State.PublicBaseUrl;

    public Uri BaseUri => new(BaseUrl);

    /// <summary>
    /// A provider's API root under the emulator at <paramref name="root"/>, or under anything in front of it: what a client
    /// is given as its base URI, such as http://127.0.0.1:5080/coretoday/v1 for <see cref="ProviderNames.CoreToday"/>.
    /// </summary>
    public static Uri ApiRoot(Uri root, string provider) => new(root.ToString().TrimEnd('/') + provider switch
    {
        ProviderNames.CoreToday => CoreTodayApi.Prefix,
        ProviderNames.MiniMax => MiniMaxApi.Prefix,
        ProviderNames.Replicate => ReplicateApi.Prefix,
        ProviderNames.Cloudflare => CloudflareApi.Prefix,
        _ => throw new ArgumentException($"The emulator has no provider '{provider}'.", nameof(provider)),
    });

    /// <param name="time">The emulator's clock; tests pass one they move by hand, so that a state lasts exactly as long as they say.</param>
    public static async Task<EmulatorServer> StartAsync(EmulatorOptions options, bool quiet = true, CancellationToken cancellationToken = default, TimeProvider? time = null)
    {
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(EmulatorServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        if (!quiet)
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        }
        builder.WebHost.UseKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = 64L * 1024 * 1024;
            k.AddServerHeader = false;
        });
        builder.WebHost.UseUrls([.. options.Urls]);

        var state = new EmulatorState(options, time);
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton<CallbackDispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CallbackDispatcher>());
        builder.Services.AddHostedService<JobTicker>();

        var app = builder.Build();
        // Every answer names the emulator's pace, so that a client paces its own waits to it without asking
        // (src/Hailuo/EmulatedTime.cs); read per request, since the admin endpoint may change it while it runs.
        app.Use((context, next) =>
        {
            context.Response.Headers[TimeScaleHeader] = state.Options.TimeScale.ToString("R", CultureInfo.InvariantCulture);
            return next(context);
        });
        var callbacks = app.Services.GetRequiredService<CallbackDispatcher>();
        var apis = new ProviderApi[]
        {
            new CoreTodayApi(state, callbacks),
            new MiniMaxApi(state, callbacks),
            new ReplicateApi(state, callbacks),
            new CloudflareApi(state),
        };
        foreach (var api in apis)
        {
            api.Map(app);
            app.MapMethods($"/files/{api.Name}/{{fileId}}/video.mp4", [HttpMethods.Get, HttpMethods.Head], api.DownloadHandler());
        }
        AdminApi.Map(app, state);
        app.MapGet("/", () => Results.Text(
            "Hailuo emulator: /coretoday/v1, /minimax/v1, /replicate/v1, /cloudflare/client/v4; admin at /_emulator/stats.\n"));

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        state.PublicBaseUrl = address.Replace("localhost", "127.0.0.1", StringComparison.OrdinalIgnoreCase).TrimEnd('/');
        return new EmulatorServer(app, state);
    }

    /// <summary>Starts on 127.0.0.1 with a free port: what tests use.</summary>
    public static Task<EmulatorServer> StartLocalAsync(Action<EmulatorOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new EmulatorOptions { Urls = ["http://127.0.0.1:0"] };
        configure?.Invoke(options);
        return StartAsync(options, time: time);
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
