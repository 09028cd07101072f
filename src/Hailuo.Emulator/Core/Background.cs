using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Hailuo.Transport;

namespace Hailuo.Emulator.Core;

/// <summary>
/// Moves jobs along even when nobody polls, so that callbacks fire and calls that hold until a job
/// finishes are released. Transitions keep their exact due times whatever this tick rate is.
/// </summary>
public sealed class JobTicker(EmulatorState state) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var board in state.Boards.Values)
            {
                board.Advance();
            }
        }
    }
}

/// <summary>One callback POST to make.</summary>
public sealed record CallbackDelivery(string Provider, Uri Url, JsonObject Body)
{
    public Dictionary<string, string> Headers { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Checked just before sending; a delivery whose precondition fails is dropped.</summary>
    public Func<bool>? Precondition { get; init; }

    /// <summary>Given the reply body when the receiver answered 2xx.</summary>
    public Action<string>? OnDelivered { get; init; }

    /// <summary>Builds the exact bytes to send and any headers that sign them.</summary>
    public Func<string, Dictionary<string, string>>? Sign { get; init; }
}

/// <summary>
/// Delivers callbacks in order, one at a time, to loopback receivers only: the emulator never sends
/// traffic off this machine, so a callback to any other host is counted as failed and skipped.
/// </summary>
public sealed class CallbackDispatcher : BackgroundService
{
    private readonly Channel<CallbackDelivery> _queue = Channel.CreateUnbounded<CallbackDelivery>(new UnboundedChannelOptions { SingleReader = true });
    private readonly EmulatorState _state;
    private readonly ILogger<CallbackDispatcher> _log;
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(3) };

    public CallbackDispatcher(EmulatorState state, ILogger<CallbackDispatcher> log)
    {
        _state = state;
        _log = log;
    }

    public void Enqueue(CallbackDelivery delivery) => _queue.Writer.TryWrite(delivery);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var delivery in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            var stats = _state.Stats.For(delivery.Provider);
            if (delivery.Precondition is { } pre && !pre())
            {
                continue;
            }
            if (!NetworkAddress.IsLoopback(delivery.Url))
            {
                Interlocked.Increment(ref stats.CallbacksFailed);
                _log.LogWarning("Skipped a {Provider} callback to {Host}: the emulator only calls back to loopback addresses.", delivery.Provider, delivery.Url.Host);
                continue;
            }
            var body = delivery.Body.ToJsonString();
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            foreach (var (name, value) in delivery.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
            if (delivery.Sign is { } sign)
            {
                foreach (var (name, value) in sign(body))
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }
            }
            try
            {
                using var response = await _http.SendAsync(request, stoppingToken);
                var reply = await response.Content.ReadAsStringAsync(stoppingToken);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref stats.CallbacksDelivered);
                    delivery.OnDelivered?.Invoke(reply);
                }
                else
                {
                    Interlocked.Increment(ref stats.CallbacksFailed);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref stats.CallbacksFailed);
            }
        }
    }
}
