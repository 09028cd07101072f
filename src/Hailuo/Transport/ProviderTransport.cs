using System;
using System.Buffers;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Credentials;
using Hailuo.Models;
using Hailuo.Providers;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Hailuo.Transport;

/// <summary>
/// Sends API calls for one provider and account: auth on the API's origin only, the shared rate limits,
/// retries with backoff and jitter that honour Retry-After, and a per-attempt timeout. Reads are
/// always retried; a create only when it provably never reached the provider. Thread-safe.
/// </summary>
internal sealed class ProviderTransport : IDisposable
{
    private const int MaxRedirects = 5;

    /// <summary>The longest Retry-After honoured; a provider that asks for more is reported, not waited for (real time).</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(10);

    private static readonly ResiliencePropertyKey<ApiCall> CallKey = new("hailuo.call");
    private static readonly ResiliencePropertyKey<CancellationToken> StopKey = new("hailuo.stop");
    private static readonly ResiliencePropertyKey<StrongBox<TrackedContent?>> ContentKey = new("hailuo.content");

    private readonly HttpClient _http;
    private readonly HailuoClientOptions _options;
    private readonly ProviderAdapter _adapter;
    private readonly HailuoCredential _credential;
    private readonly RequestWindowLimiter? _createLimiter;
    private readonly RequestWindowLimiter? _readLimiter;
    private readonly ResiliencePipeline<ApiResponse> _pipeline;
    private readonly ResiliencePipeline<ApiResponse> _attempt;
    private readonly Random _jitter = new();

    public ProviderTransport(HailuoClientOptions options, ProviderAdapter adapter, HailuoCredential credential, HttpMessageHandler? handler = null)
    {
        _options = options;
        _adapter = adapter;
        _credential = credential;
        // Redirects are followed here, so that a key never follows one to another host.
        _http = new HttpClient(handler ?? new HttpClientHandler { AllowAutoRedirect = false }, disposeHandler: handler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
        var account = $"{adapter.Provider}|{options.EffectiveBaseUri.Authority}|{credential.Fingerprint}";
        _createLimiter = SharedLimits.Rate(account + "|create", options.CreateRateLimit?.Scaled(options.TimeScale));
        _readLimiter = SharedLimits.Rate(account + "|read", options.ReadRateLimit?.Scaled(options.TimeScale));
        AccountKey = account;
        _pipeline = BuildRetries();
        _attempt = new ResiliencePipelineBuilder<ApiResponse>().AddTimeout(new TimeoutStrategyOptions
        {
            // A call answered only when its video is ready (Cloudflare's run) says how long it may hold.
            TimeoutGenerator = args => new ValueTask<TimeSpan>(args.Context.Properties.GetValue(CallKey, null!)?.Timeout ?? options.AttemptTimeout),
        }).Build();
    }

    /// <summary>Provider, host (with port) and account fingerprint: the key of every shared limit.</summary>
    public string AccountKey { get; }

    /// <summary>Attempts beyond the first, over the life of this transport: for tests and benchmarks.</summary>
    public int RetryCount => Volatile.Read(ref _retries);

    private int _retries;

    /// <summary>
    /// Sends a call and returns its answer, or throws <see cref="HailuoException"/>. A create that
    /// fails after its body may have reached the provider throws with <see cref="HailuoErrorKind.OutcomeUnknown"/>.
    /// </summary>
    public async Task<ApiResponse> SendAsync(ApiCall call, CancellationToken cancellationToken)
    {
        // A create whose request has left is given a short grace after a stop to be answered, so that the job it paid
        // for is recorded; the stop itself still keeps any new attempt from starting (LimitedAttemptAsync).
        using var grace = call.IsCreate ? new CancellationTokenSource() : null;
        using var stopping = grace is null ? default : cancellationToken.Register(() => grace.CancelAfter(_options.CreateStopGrace));
        var context = ResilienceContextPool.Shared.Get(grace?.Token ?? cancellationToken);
        var content = new StrongBox<TrackedContent?>();
        context.Properties.Set(CallKey, call);
        context.Properties.Set(ContentKey, content);
        context.Properties.Set(StopKey, cancellationToken);
        Outcome<ApiResponse> outcome;
        try
        {
            outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (ctx, self) =>
                {
                    try
                    {
                        return Outcome.FromResult(await self.LimitedAttemptAsync(ctx).ConfigureAwait(false));
                    }
                    catch (Exception e)
                    {
                        return Outcome.FromException<ApiResponse>(e);
                    }
                },
                context,
                this).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (cancellationToken.IsCancellationRequested && (!call.IsCreate || outcome.Exception is not null))
        {
            if (call.IsCreate && content.Value?.Started != true)
            {
                throw new CreateNotSentException(cancellationToken);
            }
            throw new OperationCanceledException(cancellationToken);
        }
        if (outcome.Exception is { } exception)
        {
            throw Fail(call, exception, content.Value);
        }
        var response = outcome.Result!;
        if (response.Error is { } error)
        {
            response.Dispose();
            if (call.IsCreate && error.Kind == HailuoErrorKind.Protocol && (int)response.Status is >= 200 and < 300)
            {
                throw Damaged(response.Body, error.Message);
            }
            if (call.IsCreate && error.Kind == HailuoErrorKind.NotFound)
            {
                // A create names no job, so "not found" means the address itself is not the provider's API.
                var said = string.IsNullOrWhiteSpace(response.Body) ? "" : " It said: " + error.Message;
                error = new HailuoError(HailuoErrorKind.NotFound,
                    $"{call.Method} {call.Uri} answered HTTP {(int)response.Status} ({response.Status}): that address is not {_adapter.Provider}'s create endpoint, so nothing was created.{said}",
                    error.Code, HailuoRemedy.CheckBaseUri);
            }
            throw new HailuoException(Scrub(error.RetryAfter > MaxRetryAfter ? NotWaited(error) : error));
        }
        return response;
    }

    /// <summary>
    /// One attempt, under the rate limit: each attempt is a request the provider counts, retries included. The permit
    /// is waited for outside the attempt's timeout, which measures the provider, not the queue.
    /// </summary>
    private async Task<ApiResponse> LimitedAttemptAsync(ResilienceContext context)
    {
        var call = context.Properties.GetValue(CallKey, null!);
        var stop = context.Properties.GetValue(StopKey, context.CancellationToken);
        var limiter = call.IsCreate ? _createLimiter : _readLimiter;
        using (limiter is null ? null : await limiter.AcquireAsync(stop).ConfigureAwait(false))
        {
            // After a stop, nothing new is sent: only an attempt already under way may finish.
            stop.ThrowIfCancellationRequested();
            return await _attempt.ExecuteAsync(static (ctx, self) => new ValueTask<ApiResponse>(self.AttemptAsync(ctx)), context, this).ConfigureAwait(false);
        }
    }

    private async Task<ApiResponse> AttemptAsync(ResilienceContext context)
    {
        var call = context.Properties.GetValue(CallKey, null!);
        var uri = call.Uri;
        var method = call.Method;
        for (var redirect = 0; ; redirect++)
        {
            using var request = new HttpRequestMessage(method, uri);
            if (_adapter.IsApiOrigin(uri))
            {
                _adapter.Authorize(request, _credential);
            }
            if (call.JsonBody is not null && method != HttpMethod.Get)
            {
                var tracked = new TrackedContent(call.JsonBody);
                context.Properties.GetValue(ContentKey, null!).Value = tracked;
                request.Content = tracked;
                // Headers first, body only once the server asks: a create whose body never left provably never arrived.
                request.Headers.ExpectContinue = call.IsCreate;
            }
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.CancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
            {
                if (redirect >= MaxRedirects)
                {
                    throw new HailuoException(new HailuoError(HailuoErrorKind.Protocol,
                        $"{_adapter.Provider} kept redirecting: {MaxRedirects} redirects without an answer (the last to {uri.Authority}); stopped."));
                }
                var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
                // Never off https; plain http only from one loopback address to another, as within the emulator.
                if (next.Scheme != Uri.UriSchemeHttps && !(next.Scheme == Uri.UriSchemeHttp && uri.Scheme == Uri.UriSchemeHttp && HailuoClientOptions.IsLoopback(next)))
                {
                    throw new HailuoException(new HailuoError(HailuoErrorKind.Protocol,
                        $"The provider redirected {uri.Scheme}://{uri.Host} to a non-https address ({next.Scheme}://{next.Host}); refused."));
                }
                uri = next;
                if (call.IsCreate && status is 301 or 302 or 303)
                {
                    // Turning a paid POST into a GET would lose it; say so instead of guessing.
                    throw new HailuoException(new HailuoError(HailuoErrorKind.OutcomeUnknown, $"The provider answered the create with a {status} redirect to {uri.Host}."));
                }
                if (call.IsCreate && !string.Equals(uri.Authority, call.Uri.Authority, StringComparison.OrdinalIgnoreCase))
                {
                    // The prompt and the image are the user's; they go only where the user pointed the client.
                    throw new HailuoException(new HailuoError(HailuoErrorKind.Protocol,
                        $"{_adapter.Provider} redirected the create to another host ({uri.Authority}); it was not followed: a paid request, its prompt and its image only go to {call.Uri.Authority}."));
                }
                method = status == 303 ? HttpMethod.Get : method;
                continue;
            }
            if (status is 401 or 403 && redirect > 0 && !_adapter.IsApiOrigin(uri))
            {
                // Not the key's fault: it was never sent there.
                throw new HailuoException(new HailuoError(HailuoErrorKind.Protocol,
                    $"{_adapter.Provider} redirected the request to {uri.Authority}, which refused it (HTTP {status}) because the key is only sent to {_options.EffectiveBaseUri.GetLeftPart(UriPartial.Authority)}."));
            }
            return await ReadAsync(response, context.CancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ApiResponse> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // Too long is an answer, not an exception: a create that was accepted (2xx) may still name its job in
        // what was read, and must not be taken for a refusal that a re-run would pay for again.
        var length = response.Content.Headers.ContentLength;
        if (length > _options.MaxResponseBytes)
        {
            return new ApiResponse(response.StatusCode, "", null, new HailuoError(HailuoErrorKind.Protocol,
                $"The provider's reply is {length:N0} bytes, more than the {_options.MaxResponseBytes:N0} an API answer may be; refused."));
        }
        using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        using var buffer = new MemoryStream(length is > 0 and <= 65536 ? (int)length : 4096);
        var chunk = ArrayPool<byte>.Shared.Rent(16384);
        // Scrubbed before anything reads it: a provider that echoes the key would otherwise carry it into
        // job errors, the ledger and messages, which take the provider's words as they are.
        string Text() => _credential.Redact(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > _options.MaxResponseBytes)
                {
                    return new ApiResponse(response.StatusCode, Text(), null,
                        new HailuoError(HailuoErrorKind.Protocol, $"The provider's reply is longer than the {_options.MaxResponseBytes:N0} bytes an API answer may be; refused."));
                }
            }
        }
        catch (IOException e)
        {
            // Keep what arrived: a cut-short create answer may still name the job that was paid for.
            throw new PartialResponseException(Text(), e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        var body = Text();
        JsonDocument? json = null;
        if (body.Length > 0)
        {
            try
            {
                json = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
            }
            catch (JsonException)
            {
                json = null;
            }
        }
        var error = _adapter.Classify(response.StatusCode, json?.RootElement, body, response.Headers);
        if (error is null && json is null)
        {
            error = new HailuoError(HailuoErrorKind.Protocol, $"The provider answered {(int)response.StatusCode} with a body that is not JSON: {Snippet(body)}");
        }
        return new ApiResponse(response.StatusCode, body, json, error);
    }

    private ResiliencePipeline<ApiResponse> BuildRetries()
    {
        // Polly refuses a retry strategy of zero attempts, and MaxRetries = 0 means one attempt: no strategy at all.
        if (_options.MaxRetries < 1)
        {
            return ResiliencePipeline<ApiResponse>.Empty;
        }
        return new ResiliencePipelineBuilder<ApiResponse>().AddRetry(new RetryStrategyOptions<ApiResponse>
        {
            MaxRetryAttempts = _options.MaxRetries,
            ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Context, args.Outcome)),
            DelayGenerator = args => new ValueTask<TimeSpan?>(RetryDelay(args.AttemptNumber, args.Outcome)),
            OnRetry = args =>
            {
                Interlocked.Increment(ref _retries);
                var call = args.Context.Properties.GetValue(CallKey, null!);
                var reason = args.Outcome.Exception?.GetType().Name ?? args.Outcome.Result?.Error?.ToString();
                Log(HailuoLogLevel.Verbose, $"{_adapter.Provider}: retry {args.AttemptNumber + 1} of {call.Method} {call.Uri.AbsolutePath} in {args.RetryDelay.TotalMilliseconds:0} ms after {reason}.");
                args.Outcome.Result?.Dispose();
                return default;
            },
        }).Build();
    }

    /// <summary>The never-pay-twice rule lives here.</summary>
    private static bool ShouldRetry(ResilienceContext context, Outcome<ApiResponse> outcome)
    {
        if (context.CancellationToken.IsCancellationRequested || context.Properties.GetValue(StopKey, default).IsCancellationRequested)
        {
            return false;
        }
        var call = context.Properties.GetValue(CallKey, null!);
        if (outcome.Exception is { } exception)
        {
            if (exception is HailuoException h && !h.Error.IsRetryable)
            {
                return false;
            }
            if (exception is OperationCanceledException)
            {
                return false;
            }
            var bodyLeft = context.Properties.GetValue(ContentKey, null!).Value?.Started ?? false;
            return !call.IsCreate || !bodyLeft;
        }
        var error = outcome.Result?.Error;
        if (error is null || !error.IsRetryable || error.RetryAfter > MaxRetryAfter)
        {
            return false;
        }
        if (!call.IsCreate)
        {
            return true;
        }
        // A 429 or a 503 says the provider declined the request without acting on it.
        return error.Kind == HailuoErrorKind.RateLimited || outcome.Result!.Status == HttpStatusCode.ServiceUnavailable;
    }

    private TimeSpan RetryDelay(int attempt, Outcome<ApiResponse> outcome)
    {
        var retryAfter = outcome.Result?.Error?.RetryAfter;
        double jitter;
        lock (_jitter)
        {
            jitter = _jitter.NextDouble();
        }
        if (retryAfter is { } wait && wait > TimeSpan.Zero)
        {
            // Honour the provider's word, plus a little so that a crowd does not return at once.
            return wait + TimeSpan.FromMilliseconds(jitter * Math.Min(1000, wait.TotalMilliseconds * 0.1));
        }
        var baseDelay = _options.RetryBaseDelay.Scaled(_options.TimeScale).TotalMilliseconds;
        var cap = _options.RetryMaxDelay.Scaled(_options.TimeScale).TotalMilliseconds;
        var exponential = Math.Min(cap, baseDelay * Math.Pow(2, attempt));
        // Full jitter between half and all of the exponential delay.
        return TimeSpan.FromMilliseconds(exponential * (0.5 + (jitter / 2)));
    }

    private HailuoException Fail(ApiCall call, Exception exception, TrackedContent? content)
    {
        if (exception is HailuoException known)
        {
            return new HailuoException(Scrub(known.Error), known.InnerException);
        }
        if (call.IsCreate && exception is PartialResponseException partial)
        {
            return Damaged(partial.Body, "the answer was cut short");
        }
        var what = exception switch
        {
            TimeoutRejectedException => $"no answer within {(call.Timeout ?? _options.AttemptTimeout).TotalSeconds:0.#} s",
            HttpRequestException or IOException or SocketException => "the connection failed: " + _credential.Redact(exception.Message),
            _ => _credential.Redact(exception.Message),
        };
        if (call.IsCreate && content?.Started == true)
        {
            return new HailuoException(new HailuoError(HailuoErrorKind.OutcomeUnknown,
                $"{_adapter.Provider} may or may not have accepted this video: the request was sent, then {what}. It was not resubmitted, so it cannot be paid for twice."));
        }
        return new HailuoException(new HailuoError(HailuoErrorKind.Transient, $"{_adapter.Provider}: {what}."));
    }

    /// <summary>A create was accepted (2xx) but its answer is damaged: salvage the id if it is there, else the outcome is unknown.</summary>
    private HailuoException Damaged(string body, string what) =>
        _adapter.SalvageId(body) is { } id
            ? new SalvagedCreateException(id, new HailuoError(HailuoErrorKind.Protocol, $"{_adapter.Provider} accepted the video as {id}, but its answer was damaged ({_credential.Redact(what)})."))
            : new HailuoException(new HailuoError(HailuoErrorKind.OutcomeUnknown,
                $"{_adapter.Provider} answered the create, but the answer was damaged ({_credential.Redact(what)}) and names no job. It was not resubmitted, so it cannot be paid for twice."));

    private HailuoError NotWaited(HailuoError error)
    {
        var wait = error.RetryAfter!.Value;
        var words = wait.TotalDays >= 2
            ? string.Format(CultureInfo.InvariantCulture, "{0:N0} days", wait.TotalDays)
            : string.Format(CultureInfo.InvariantCulture, "{0:N0} minutes", wait.TotalMinutes);
        return new HailuoError(error.Kind,
            $"{error.Message} {_adapter.Provider} asked to wait {words} before trying again, longer than the {MaxRetryAfter.TotalMinutes:0} minutes this client waits, so it was not retried.",
            error.Code, HailuoRemedy.TryLater, error.RetryAfter);
    }

    private HailuoError Scrub(HailuoError error) => error.WithMessage(_credential.Redact(error.Message));

    private void Log(HailuoLogLevel level, string message) => _credential.LogRedacted(_options.Log, level, message);

    private static string Snippet(string body) => body.Length <= 200 ? body : body.Substring(0, 200) + "...";

    public void Dispose() => _http.Dispose();

    private sealed class StrongBox<T>
    {
        public T? Value;
    }
}

/// <summary>An answer whose body broke off part-way; what arrived is kept.</summary>
internal sealed class PartialResponseException : IOException
{
    public PartialResponseException(string body, Exception inner)
        : base("The answer was cut short: " + inner.Message, inner)
    {
        Body = body;
    }

    public string Body { get; }
}

/// <summary>A create stopped before any of its requests' bodies left: provably nothing was created or paid for.</summary>
internal sealed class CreateNotSentException : OperationCanceledException
{
    public CreateNotSentException(CancellationToken token)
        : base("The submission was stopped before it was sent.", token)
    {
    }
}

/// <summary>A create the provider accepted whose answer was damaged but still named the job.</summary>
internal sealed class SalvagedCreateException : HailuoException
{
    public SalvagedCreateException(string jobId, HailuoError error)
        : base(error)
    {
        JobId = jobId;
    }

    public string JobId { get; }
}
