using System;
using System.Buffers;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Credentials;
using Hailuo.Models;
using Hailuo.Providers;
using Polly;
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

    private static readonly ResiliencePropertyKey<ApiCall> CallKey = new("hailuo.call");
    private static readonly ResiliencePropertyKey<CancellationToken> StopKey = new("hailuo.stop");
    private static readonly ResiliencePropertyKey<StrongBox<IDisposable?>> ReservedKey = new("hailuo.reserved");
    private static readonly ResiliencePropertyKey<DateTimeOffset> StartedKey = new("hailuo.started");
    private static readonly ResiliencePropertyKey<StrongBox<TrackedContent?>> ContentKey = new("hailuo.content");

    private readonly HttpClient _http;
    private readonly HailuoClientOptions _options;
    private readonly ProviderAdapter _adapter;
    private readonly HailuoCredential _credential;
    private readonly TimeProvider _clock;
    // Whether answers may name the provider's pace: only a loopback address's, where the emulator runs.
    private readonly EmulatedTime? _learnsPace;
    private readonly RequestWindowLimiter? _createLimiter;
    private readonly RequestWindowLimiter? _readLimiter;
    private readonly ResiliencePipeline<ApiResponse> _pipeline;
    private readonly ResiliencePipeline<ApiResponse> _attempt;
    private readonly RedirectRules _readRedirects;
    private readonly RedirectRules _createRedirects;

    // The clock is the account's (EmulatedTime.For): retry waits and rate windows run on it, attempt timeouts on real time.
    public ProviderTransport(HailuoClientOptions options, ProviderAdapter adapter, HailuoCredential credential, TimeProvider clock, HttpMessageHandler? handler = null)
    {
        _options = options;
        _adapter = adapter;
        _credential = credential;
        _clock = clock;
        _learnsPace = NetworkAddress.IsLoopback(options.EffectiveBaseUri) ? clock as EmulatedTime : null;
        _readRedirects = Redirects(create: false);
        _createRedirects = Redirects(create: true);
        // Redirects are followed here, so that a key never follows one to another host.
        _http = new HttpClient(handler ?? new HttpClientHandler { AllowAutoRedirect = false }, disposeHandler: handler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
        var account = $"{adapter.Provider}|{options.EffectiveBaseUri.Authority}|{credential.Fingerprint}";
        _createLimiter = SharedLimits.Rate(account + "|create", options.CreateRateLimit);
        _readLimiter = SharedLimits.Rate(account + "|read", options.ReadRateLimit);
        AccountKey = account;
        _pipeline = BuildRetries();
        // On Polly's own clock, the system's: the network is as slow under the emulator, and under a test's clock.
        _attempt = new ResiliencePipelineBuilder<ApiResponse>().AddTimeout(new TimeoutStrategyOptions
        {
            TimeoutGenerator = args => new ValueTask<TimeSpan>(AttemptTimeout(args.Context.Properties.GetValue(CallKey, null!))),
        }).Build();
    }

    /// <summary>
    /// How long an attempt may take: the client's AttemptTimeout, or for a call answered only when its video is ready
    /// (Cloudflare's run) the time it may hold, at the provider's pace, but never less.
    /// </summary>
    private TimeSpan AttemptTimeout(ApiCall? call) =>
        call?.Timeout is { } held && EmulatedTime.ProviderTime(_clock, held) is var paced && paced > _options.AttemptTimeout ? paced : _options.AttemptTimeout;

    /// <summary>Provider, host (with port) and account fingerprint: the key of every shared limit.</summary>
    public string AccountKey { get; }

    /// <summary>
    /// Sends a call and returns its answer, or throws <see cref="HailuoException"/>. A create that
    /// fails after its body may have reached the provider throws with <see cref="HailuoErrorKind.OutcomeUnknown"/>.
    /// </summary>
    public Task<ApiResponse> SendAsync(ApiCall call, CancellationToken cancellationToken) => SendAsync(call, null, cancellationToken);

    /// <summary>
    /// Waits for room under the create rate limit, without sending: the caller writes its intent once a create can go at
    /// once, so that a kill meanwhile strands no intent that was never sent. Give the permit to
    /// <see cref="SendAsync(ApiCall, IDisposable, CancellationToken)"/>, whose first attempt uses it; dispose it if nothing is sent.
    /// </summary>
    public async Task<IDisposable?> ReserveCreateAsync(CancellationToken cancellationToken) =>
        _createLimiter is null ? null : await _createLimiter.AcquireAsync(_clock, cancellationToken).ConfigureAwait(false);

    /// <summary>As <see cref="SendAsync(ApiCall, CancellationToken)"/>, with the first attempt sent under <paramref name="reserved"/>.</summary>
    public async Task<ApiResponse> SendAsync(ApiCall call, IDisposable? reserved, CancellationToken cancellationToken)
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
        context.Properties.Set(ReservedKey, new StrongBox<IDisposable?> { Value = reserved });
        context.Properties.Set(StartedKey, _clock.GetUtcNow());
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
            if (call.IsCreate && (int)response.Status >= 500 && response.Status != HttpStatusCode.ServiceUnavailable)
            {
                // Only a 503 says the request was declined; after a 500, 502 or 504 the job may or may not have been made.
                throw new HailuoException(Scrub(new HailuoError(HailuoErrorKind.OutcomeUnknown,
                    $"{_adapter.Provider} answered the create HTTP {(int)response.Status} ({response.Status}), which does not say whether the video was made. It was not resubmitted, so it cannot be paid for twice. It said: {error.Message}")));
            }
            if (call.IsCreate && error.Kind == HailuoErrorKind.NotFound)
            {
                // A create names no job, so "not found" means the address itself is not the provider's API.
                var said = string.IsNullOrWhiteSpace(response.Body) ? "" : " It said: " + error.Message;
                error = new HailuoError(HailuoErrorKind.NotFound,
                    $"{call.Method} {call.Uri} answered HTTP {(int)response.Status} ({response.Status}): that address is not {_adapter.Provider}'s create endpoint, so nothing was created.{said}",
                    error.Code, HailuoRemedy.CheckBaseUri);
            }
            throw new HailuoException(Scrub(HttpRetryPolicy.IsTooLong(error.RetryAfter) ? NotWaited(error) : error));
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
        var reserved = context.Properties.GetValue(ReservedKey, null!);
        var permit = reserved?.Value;
        if (reserved is not null)
        {
            reserved.Value = null; // the first attempt's only
        }
        using (permit ?? (limiter is null ? null : await limiter.AcquireAsync(_clock, stop).ConfigureAwait(false)))
        {
            // After a stop, nothing new is sent: only an attempt already under way may finish.
            stop.ThrowIfCancellationRequested();
            return await _attempt.ExecuteAsync(static (ctx, self) => new ValueTask<ApiResponse>(self.AttemptAsync(ctx)), context, this).ConfigureAwait(false);
        }
    }

    private async Task<ApiResponse> AttemptAsync(ResilienceContext context)
    {
        var call = context.Properties.GetValue(CallKey, null!);
        var (response, uri, redirects) = await RedirectFollower.SendAsync(_http, call.Method, call.Uri, call.IsCreate ? _createRedirects : _readRedirects, request =>
        {
            if (call.JsonBody is not null && request.Method != HttpMethod.Get)
            {
                var tracked = new TrackedContent(call.JsonBody);
                context.Properties.GetValue(ContentKey, null!).Value = tracked;
                request.Content = tracked;
                // Headers first, body only once the server asks: a create whose body never left provably never arrived.
                request.Headers.ExpectContinue = call.IsCreate;
            }
        }, context.CancellationToken).ConfigureAwait(false);
        using (response)
        {
            if (_learnsPace is not null && _adapter.IsApiOrigin(uri))
            {
                _learnsPace.Learn(response.Headers);
            }
            var status = (int)response.StatusCode;
            if (status is 401 or 403 && redirects > 0 && !_adapter.IsApiOrigin(uri))
            {
                // Not the key's fault: it was never sent there.
                throw new HailuoException(new HailuoError(HailuoErrorKind.Protocol,
                    $"{_adapter.Provider} redirected the request to {uri.Authority}, which refused it (HTTP {status}) because the key is only sent to {_options.EffectiveBaseUri.GetLeftPart(UriPartial.Authority)}."));
            }
            return await ReadAsync(response, context.CancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Where this transport's requests may be redirected: the key only to the API's origin; never off https (plain http
    /// only from one loopback address to another, as within the emulator); a paid create never turned into a GET nor
    /// sent to another host.
    /// </summary>
    private RedirectRules Redirects(bool create) => new()
    {
        MaxRedirects = MaxRedirects,
        Authorize = request => _adapter.Authorize(request, _credential),
        IsCredentialOrigin = _adapter.IsApiOrigin,
        TooMany = hop => new HailuoException(new HailuoError(HailuoErrorKind.Protocol,
            $"{_adapter.Provider} kept redirecting: {MaxRedirects} redirects without an answer (the last to {hop.From.Authority}); stopped.")),
        Vet = hop =>
        {
            var (uri, next) = (hop.From, hop.To);
            if (next.Scheme != Uri.UriSchemeHttps && !(next.Scheme == Uri.UriSchemeHttp && uri.Scheme == Uri.UriSchemeHttp && NetworkAddress.IsLoopback(next)))
            {
                throw new HailuoException(new HailuoError(HailuoErrorKind.Protocol,
                    $"The provider redirected {uri.Scheme}://{uri.Host} to a non-https address ({next.Scheme}://{next.Host}); refused."));
            }
            if (create && hop.Status is 301 or 302 or 303)
            {
                // Turning a paid POST into a GET would lose it; say so instead of guessing.
                throw new HailuoException(new HailuoError(HailuoErrorKind.OutcomeUnknown, $"The provider answered the create with a {hop.Status} redirect to {next.Host}."));
            }
            if (create && !string.Equals(next.Authority, hop.Start.Authority, StringComparison.OrdinalIgnoreCase))
            {
                // The prompt and the image are the user's; they go only where the user pointed the client.
                throw new HailuoException(new HailuoError(HailuoErrorKind.Protocol,
                    $"{_adapter.Provider} redirected the create to another host ({next.Authority}); it was not followed: a paid request, its prompt and its image only go to {hop.Start.Authority}."));
            }
        },
    };

    private async Task<ApiResponse> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // Too long is an answer, not an exception: a create that was accepted (2xx) may still name its job in
        // what was read, and must not be taken for a refusal that a re-run would pay for again.
        var length = response.Content.Headers.ContentLength;
        if (length > _options.MaxResponseBytes)
        {
            return new ApiResponse(response.StatusCode, "", null, StatusLineSays(response) ?? new HailuoError(HailuoErrorKind.Protocol,
                $"The provider's reply is {length:N0} bytes, more than the {_options.MaxResponseBytes:N0} an API answer may be; refused."));
        }
        using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        using var buffer = new MemoryStream(length is > 0 and <= 65536 ? (int)length : 4096);
        var chunk = ArrayPool<byte>.Shared.Rent(16384);
        // The answer as it came: ids and fields are parsed from it whole. The key is blanked where provider text
        // turns into words (Scrub, the log, the ledger's errors), never before parsing, where it would rewrite ids.
        string Text() => Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > _options.MaxResponseBytes)
                {
                    return new ApiResponse(response.StatusCode, Text(), null, StatusLineSays(response) ??
                        new HailuoError(HailuoErrorKind.Protocol, $"The provider's reply is longer than the {_options.MaxResponseBytes:N0} bytes an API answer may be; refused."));
                }
            }
        }
        catch (IOException e)
        {
            if (StatusLineSays(response) is { } refusal)
            {
                // A refusal's status line is whole even when its body is not: a cut-short 429 or 503 declined the request.
                return new ApiResponse(response.StatusCode, Text(), null, refusal);
            }
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
            error = new HailuoError(HailuoErrorKind.Protocol, $"The provider answered {(int)response.StatusCode} with a body that is not JSON: {ErrorSnippet.OneLine(body)}");
        }
        return new ApiResponse(response.StatusCode, body, json, error);
    }

    /// <summary>
    /// What a status line alone proves, for an answer whose body is missing, cut short or too long: a non-2xx status is
    /// the provider's own verdict (429 and 503 declined the request, other 4xx refused it), whatever the body holds.
    /// Null for 2xx, where only the body can say which job was made.
    /// </summary>
    private HailuoError? StatusLineSays(HttpResponseMessage response) =>
        (int)response.StatusCode is >= 200 and < 300 ? null : _adapter.Classify(response.StatusCode, null, "", response.Headers);

    /// <summary>Retries on the policy downloads share (HttpRetryPolicy.cs): its waits, its Retry-After cap, and <see cref="ShouldRetry"/>.</summary>
    private ResiliencePipeline<ApiResponse> BuildRetries() =>
        new HttpRetryPolicy(_options.MaxRetries, _options.RetryBaseDelay, _options.RetryMaxDelay, _clock)
            .Pipeline<ApiResponse>(ShouldRetry, outcome => outcome.Result?.Error?.RetryAfter, args =>
            {
                var call = args.Context.Properties.GetValue(CallKey, null!);
                var reason = args.Outcome.Exception?.GetType().Name ?? args.Outcome.Result?.Error?.ToString();
                Log(HailuoLogLevel.Verbose, $"{_adapter.Provider}: retry {args.AttemptNumber + 1} of {call.Method} {call.Uri.AbsolutePath} in {args.RetryDelay.TotalMilliseconds:0} ms after {reason}.");
                args.Outcome.Result?.Dispose();
                return default;
            });

    /// <summary>The never-pay-twice rule lives here.</summary>
    private bool ShouldRetry(ResilienceContext context, Outcome<ApiResponse> outcome)
    {
        if (context.CancellationToken.IsCancellationRequested || context.Properties.GetValue(StopKey, default).IsCancellationRequested)
        {
            return false;
        }
        var call = context.Properties.GetValue(CallKey, null!);
        var now = _clock.GetUtcNow();
        if (call.IsCreate && now - context.Properties.GetValue(StartedKey, now) > _options.CreateRetryBudget)
        {
            // A create is retried only for so long that, once it stops, another process sharing the ledger can trust
            // that it is no longer being sent (HailuoClientOptions.CreateSettleTime).
            return false;
        }
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
        if (error is null || !error.IsRetryable)
        {
            return false;
        }
        if (!call.IsCreate)
        {
            return true;
        }
        // A 429, a 503 or a 408 says the provider declined the request without acting on it, whatever its body says.
        return error.Kind == HailuoErrorKind.RateLimited || outcome.Result!.Status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.RequestTimeout;
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
            TimeoutRejectedException => $"no answer within {AttemptTimeout(call).TotalSeconds:0.#} s",
            _ when HttpRetryPolicy.IsConnectionFault(exception) => "the connection failed: " + _credential.Redact(exception.Message),
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

    private HailuoError NotWaited(HailuoError error) =>
        new(error.Kind, $"{error.Message} {_adapter.Provider} {HttpRetryPolicy.WaitRefused(error.RetryAfter!.Value)}.", error.Code, HailuoRemedy.TryLater, error.RetryAfter);

    private HailuoError Scrub(HailuoError error) => _credential.Scrub(error);

    private void Log(HailuoLogLevel level, string message) => _credential.LogRedacted(_options.Log, level, message);

    public void Dispose() => _http.Dispose();
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
