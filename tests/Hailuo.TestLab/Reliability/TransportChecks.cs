using System.Diagnostics;
using Hailuo.Connection;
using Hailuo.Credentials;
using Hailuo.Downloads;
using Hailuo.Emulator.Core;
using Hailuo.Emulator;
using Hailuo.Models;
using Hailuo.Pipeline;
using Hailuo.TestLab;
using Hailuo.Transport;
using Microsoft.AspNetCore.Http;

namespace Hailuo.Reliability;

/// <summary>One case of a transport requirement: what was tried, whether the engine did the safe thing, and what it did.</summary>
public sealed record TransportVerdict(string Case, bool Passed, string Detail);

/// <summary>How long an operation against a server that never answers took to fail, against the bound its options state.</summary>
public sealed record TimeoutVerdict(string Operation, Hostility Behaviour, TimeSpan Measured, TimeSpan Bound, string Outcome, bool FailedAsExpected)
{
    /// <summary>Thread scheduling on a shared machine: the bound plus this still counts as within it.</summary>
    public static readonly TimeSpan Allowance = TimeSpan.FromSeconds(1);

    public bool WithinBound => FailedAsExpected && Measured <= Bound + Allowance;
}

/// <summary>The times a timeout check runs with: short for the xunit version, longer (one byte a second) for the long run.</summary>
public sealed record TimeoutPlan(TimeSpan AttemptTimeout, int MaxRetries, TimeSpan RetryBaseDelay, TimeSpan RetryMaxDelay, TimeSpan TrickleInterval, int Repeats)
{
    public static TimeoutPlan Short { get; } = new(TimeSpan.FromSeconds(0.4), 2, TimeSpan.FromSeconds(0.1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(0.1), 1);

    public static TimeoutPlan Long { get; } = new(TimeSpan.FromSeconds(3), 3, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), 3);

    public void Apply(HailuoClientOptions options)
    {
        options.AttemptTimeout = AttemptTimeout;
        options.MaxRetries = MaxRetries;
        options.RetryBaseDelay = RetryBaseDelay;
        options.RetryMaxDelay = RetryMaxDelay;
    }

    public DownloadOptions Download() => new()
    {
        ReadTimeout = AttemptTimeout,
        MaxAttempts = MaxRetries + 1,
        BackoffBase = RetryBaseDelay,
        BackoffCap = RetryMaxDelay,
    };

    /// <summary>An API call's worst case: every attempt times out, and every wait between them is as long as it can be.</summary>
    public static TimeSpan ApiBound(HailuoClientOptions o)
    {
        var waits = Enumerable.Range(0, o.MaxRetries).Sum(i => Math.Min(o.RetryMaxDelay.TotalSeconds, o.RetryBaseDelay.TotalSeconds * Math.Pow(2, i)));
        return TimeSpan.FromSeconds(o.AttemptTimeout.TotalSeconds * (o.MaxRetries + 1)) + EmulatedTime.ProviderTime(o.TimeProvider, TimeSpan.FromSeconds(waits));
    }

    /// <summary>A download's worst case without progress: every attempt stalls for the read timeout, with the longest backoff between.</summary>
    public static TimeSpan DownloadBound(DownloadOptions o)
    {
        var waits = Enumerable.Range(1, o.MaxAttempts - 1).Sum(f => Math.Min(o.BackoffCap.TotalSeconds, o.BackoffBase.TotalSeconds * Math.Pow(2, f - 1)));
        return TimeSpan.FromSeconds(o.ReadTimeout.TotalSeconds * o.MaxAttempts + waits);
    }
}

/// <summary>
/// Part 5 of issue 6: https only (except loopback, and never by a redirect), the key never sent to
/// another origin after a redirect, downloads bounded in size, and every call bounded in time.
/// </summary>
public static class TransportChecks
{
    private static readonly HailuoProvider[] Providers = Enum.GetValues<HailuoProvider>();

    /// <summary>Base URIs, and whether a client may be made for them: https anywhere, http on loopback only.</summary>
    public static readonly IReadOnlyList<(string Uri, bool Allowed)> BaseUris =
    [
        ("http://api.core.today/v1", false),
        ("http://10.0.0.5:5080/coretoday/v1", false),
        ("http://127.0.0.1.evil.example/v1", false),
        ("http://localhost.evil/v1", false),
        ("http://foo.localhost.evil.example/v1", false),
        ("http://127.0.0.1@evil.example/v1", false),
        ("http://127.0.0.1:5080@evil.example/v1", false),
        ("http://0.0.0.0:5080/v1", false),
        ("http://[::]:5080/v1", false),
        ("http://[::ffff:10.0.0.5]:5080/v1", false),
        ("ftp://127.0.0.1/v1", false),
        ("ws://127.0.0.1:5080/v1", false),
        ("http://127.0.0.1:5080/v1", true),
        ("http://127.0.0.2:5080/v1", true),
        ("http://localhost:5080/v1", true),
        ("http://[::1]:5080/v1", true),
        ("https://api.core.today/v1", true),
        ("https://127.0.0.1.evil.example/v1", true),
    ];

    /// <summary>Makes a client (and, for refusals, a Connect-Hailuo session) for a base URI and each provider; nothing is sent.</summary>
    public static IReadOnlyList<TransportVerdict> CheckBaseUri(string text, bool allowed, string key)
    {
        var verdicts = new List<TransportVerdict>();
        foreach (var provider in Providers)
        {
            var options = new HailuoClientOptions(provider)
            {
                BaseUri = new Uri(text),
                Credentials = new StaticCredentialSource(new HailuoCredential(key, "test")),
                CloudflareAccountId = "acc-test",
                UseLedger = false,
            };
            string outcome;
            bool refused;
            try
            {
                new HailuoClient(options).Dispose();
                refused = false;
                outcome = "client made";
            }
            catch (HailuoException e) when (e.Error.Kind == HailuoErrorKind.Validation)
            {
                refused = true;
                outcome = "refused: " + e.Message;
            }
            if (!allowed)
            {
                // Connect-Hailuo's path too: the session makes the client, so it must refuse the same way.
                using var session = new HailuoConnection(options.Credentials, o => o.UseLedger = false);
                session.Connect(new ConnectionSettings { Provider = provider, BaseUri = new Uri(text), CloudflareAccountId = "acc-test" }, null);
                try
                {
                    session.GetClient();
                    refused = false;
                    outcome += "; Connect-Hailuo accepted it";
                }
                catch (HailuoException e) when (e.Error.Kind == HailuoErrorKind.Validation)
                {
                }
            }
            verdicts.Add(new TransportVerdict($"{text} ({provider})", refused != allowed, outcome));
        }
        return verdicts;
    }

    /// <summary>Where an API server redirects to, and whether the client may follow; the follow-up, if any, would reach <paramref name="landing"/>.</summary>
    public static IReadOnlyList<(string Location, bool Allowed)> RedirectTargets(string landing) =>
    [
        (landing.Replace("127.0.0.1", "127.0.0.1.evil.example", StringComparison.Ordinal), false),
        (landing.Replace("127.0.0.1", "localhost.evil", StringComparison.Ordinal), false),
        (landing.Replace("127.0.0.1", "127.0.0.1@evil.example", StringComparison.Ordinal), false),
        (landing.Replace("127.0.0.1", "0.0.0.0", StringComparison.Ordinal), false),
        (landing.Replace("http://", "ftp://", StringComparison.Ordinal), false),
        (landing, true),
        (landing.Replace("127.0.0.1", "localhost", StringComparison.Ordinal), true),
    ];

    /// <summary>
    /// An http loopback API that redirects a status read to each target; a refused one must fail
    /// without a request reaching the landing server (which 0.0.0.0 would, on Linux).
    /// </summary>
    public static async Task<IReadOnlyList<TransportVerdict>> CheckRedirectTargetsAsync(string key, CancellationToken cancellationToken)
    {
        var verdicts = new List<TransportVerdict>();
        await using var landing = await LoopbackRelay.StartAsync();
        landing.Route = context => Answer(context, "{\"id\":\"job-1\",\"status\":\"processing\"}");
        foreach (var (location, allowed) in RedirectTargets(landing.Url))
        {
            await using var api = await LoopbackRelay.StartAsync();
            api.Route = context => LoopbackRelay.RedirectTo(context, location, 302);
            using var client = new HailuoClient(new HailuoClientOptions(HailuoProvider.Replicate)
            {
                BaseUri = new Uri(api.Url + "/replicate/v1"),
                Credentials = new StaticCredentialSource(new HailuoCredential(key, "test")),
                UseLedger = false,
                MaxRetries = 0,
            });
            var before = landing.Received.Count;
            string outcome;
            bool followed;
            try
            {
                var job = await client.GetJobAsync("job-1", cancellationToken);
                followed = true;
                outcome = $"followed: {job.Status}";
            }
            catch (HailuoException e)
            {
                followed = false;
                outcome = $"{e.Error.Kind}: {e.Message}";
            }
            var reached = landing.Received.Count - before;
            var keyed = landing.Received.Skip(before).Count(r => r.Credential == key);
            var passed = allowed ? followed && reached == 1 && keyed == 0 : !followed && reached == 0 && outcome.Contains("non-https", StringComparison.Ordinal);
            verdicts.Add(new TransportVerdict($"302 to {location}", passed, $"{outcome}; requests at the target: {reached}, with the key: {keyed}"));
        }
        return verdicts;
    }

    /// <summary>
    /// An https API (Kestrel with a throw-away certificate on loopback) that redirects to http on the
    /// same host: a downgrade, refused even though the target is loopback.
    /// </summary>
    public static async Task<TransportVerdict> CheckHttpsDowngradeAsync(string key, CancellationToken cancellationToken)
    {
        using var certificate = LoopbackRelay.LoopbackCertificate();
        await using var plain = await LoopbackRelay.StartAsync();
        plain.Route = context => Answer(context, "{\"id\":\"job-1\",\"status\":\"processing\"}");
        await using var secure = await LoopbackRelay.StartAsync("127.0.0.1", certificate);
        secure.Route = context => LoopbackRelay.RedirectTo(context, plain.Url, 302);
        var options = new HailuoClientOptions(HailuoProvider.Replicate)
        {
            BaseUri = new Uri(secure.Url + "/replicate/v1"),
            UseLedger = false,
            MaxRetries = 0,
        };
        var credential = new HailuoCredential(key, "test");
        var adapter = HailuoClient.CreateAdapter(options);
        // Trusts this one certificate only: the client's own handler is the same but for the trust store.
        using var handler = new HttpClientHandler
        {
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint,
        };
        using var transport = new ProviderTransport(options, adapter, credential, TimeProvider.System, handler);
        string outcome;
        bool followed;
        try
        {
            using var response = await transport.SendAsync(adapter.BuildStatus(new HailuoJob("job-1", HailuoProvider.Replicate, HailuoModels.Standard, JobStatus.Queued)), cancellationToken);
            followed = true;
            outcome = $"followed: HTTP {(int)response.Status}";
        }
        catch (HailuoException e)
        {
            followed = false;
            outcome = $"{e.Error.Kind}: {e.Message}";
        }
        var keyedAtApi = secure.Received.Count(r => r.Credential == key);
        var keyedAtTarget = plain.Received.Count(r => r.Credential == key);
        return new TransportVerdict($"302 from {secure.Url} (https) to {plain.Url} (http, loopback)",
            !followed && keyedAtApi == 1 && plain.Received.Count == 0,
            $"{outcome}; the https API got the key {keyedAtApi} time(s); requests at the http target: {plain.Received.Count}, with the key: {keyedAtTarget}");
    }

    /// <summary>The other origins a redirect may lead to, as seen from an API at http://127.0.0.1:port.</summary>
    public static readonly IReadOnlyList<string> OtherOrigins = ["localhost (another name)", "127.0.0.1, another port", "127.0.0.2 (another address)"];

    /// <summary>What the other origin of one redirect run received.</summary>
    public sealed record RedirectRun(HailuoProvider Provider, string OtherOrigin, int AtApi, int KeyAtApi, int AtOther, int KeyAtOther, IReadOnlyList<string> Operations, string? Failure);

    /// <summary>
    /// A whole job through an API that redirects every request but the create (status and cancel with 307,
    /// download links with 302) to another origin, a mirror that relays to the emulator with a key of
    /// its own: the job must complete, and the mirror must never see the user's key.
    /// </summary>
    public static async Task<RedirectRun> RunThroughRedirectsAsync(HailuoProvider provider, string otherOrigin, string key, string folder, CancellationToken cancellationToken)
    {
        await using var emulator = await EmulatorServer.StartLocalAsync(o => o.TimeScale = 0.002);
        await using var other = await LoopbackRelay.StartAsync(otherOrigin.StartsWith("127.0.0.2", StringComparison.Ordinal) ? "127.0.0.2" : "127.0.0.1");
        other.UpstreamRoot = emulator.BaseUri;
        other.OwnCredential = provider == HailuoProvider.CoreToday ? ("X-API-Key", "mirror-own-key") : ("Authorization", "Bearer mirror-own-key");
        var otherRoot = otherOrigin.StartsWith("localhost", StringComparison.Ordinal) ? other.UrlAs("localhost") : other.Url;
        await using var api = await LoopbackRelay.StartAsync();
        // Creates go straight through: the engine never follows a create to another origin (its prompt and image
        // go only where the user pointed it, which the hostile cases check), so the journey redirects the rest.
        api.UpstreamRoot = emulator.BaseUri;
        api.Route = async context => !await IsCreateAsync(context) && await LoopbackRelay.RedirectTo(context, otherRoot,
            HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) ? 302 : 307);
        // Download links name the API's origin, so that they too are redirected to the mirror.
        emulator.State.PublicBaseUrl = api.Url;

        var operations = new List<string>();
        string? failure = null;
        try
        {
            using var client = new HailuoClient(new HailuoClientOptions(provider)
            {
                BaseUri = CmdletPipeline.EmulatorApiRoot(provider, new Uri(api.Url)),
                Credentials = new StaticCredentialSource(new HailuoCredential(key, "test")),
                CloudflareAccountId = "acc-test",
                TimeProvider = new EmulatedTime(0.002),
                LedgerPath = Path.Combine(folder, $"redirects-{provider}-{Guid.NewGuid():N}.jsonl"),
            });
            var job = await client.SubmitAsync(new VideoRequest { Prompt = $"through a redirect, {provider}, {otherOrigin}" }, cancellationToken: cancellationToken);
            operations.Add("create");
            var done = await client.WaitAsync(job, TimeSpan.FromSeconds(30), cancellationToken);
            operations.Add("status");
            if (done.Status != JobStatus.Succeeded)
            {
                throw new InvalidOperationException($"the job ended {done.Status}: {done.Error}");
            }
            var saved = await client.DownloadAsync(done, Path.Combine(folder, $"{provider}-{Guid.NewGuid():N}.mp4"), cancellationToken: cancellationToken);
            operations.Add($"download ({saved.Length} bytes)");
            if (provider is HailuoProvider.CoreToday or HailuoProvider.Replicate)
            {
                var second = await client.SubmitAsync(new VideoRequest { Prompt = $"to cancel through a redirect, {provider}, {otherOrigin}" }, cancellationToken: cancellationToken);
                await client.CancelAsync(second, cancellationToken);
                operations.Add("cancel");
            }
        }
        catch (Exception e) when (e is HailuoException or InvalidOperationException or IOException)
        {
            failure = $"{e.GetType().Name}: {e.Message}";
        }
        return new RedirectRun(provider, otherOrigin,
            api.Received.Count, api.Received.Count(r => r.Credential == key),
            other.Received.Count, other.Received.Count(r => r.Credential == key),
            operations, failure);
    }

    /// <summary>A create: a POST that is not a cancel, nor Cloudflare's status read (a POST of its request_id).</summary>
    private static async Task<bool> IsCreateAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || request.Path.Value!.EndsWith("/cancel", StringComparison.Ordinal))
        {
            return false;
        }
        request.EnableBuffering();
        using var reader = new StreamReader(request.Body, leaveOpen: true);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        request.Body.Position = 0;
        return !body.Contains("\"request_id\"", StringComparison.Ordinal);
    }

    /// <summary>The size cases: announced too big, unannounced and too big, and more sent than announced.</summary>
    public static async Task<IReadOnlyList<TransportVerdict>> CheckDownloadSizeAsync(string folder, CancellationToken cancellationToken)
    {
        const long limit = 1L << 20;
        var clip = VideoBytes(3 * limit);
        var small = VideoBytes(0);
        var cases = new (string Name, byte[] Body, long? Announced, BodyFraming Framing, long? ExpectFile)[]
        {
            ("Content-Length above MaxBytes", clip, null, BodyFraming.ContentLength, null),
            ("no Content-Length (chunked), body above MaxBytes", clip, null, BodyFraming.Chunked, null),
            ("sends 1 MiB more than its Content-Length", [.. small, .. new byte[limit]], small.Length, BodyFraming.ContentLength, small.Length),
        };
        var verdicts = new List<TransportVerdict>();
        foreach (var (name, body, announced, framing, expectFile) in cases)
        {
            await using var server = new HostileServer(Hostility.Serve) { Body = body, ContentType = "video/mp4", AnnouncedLength = announced, Framing = framing };
            var target = Path.Combine(folder, "size-" + Guid.NewGuid().ToString("N")[..8], "video.mp4");
            var downloader = new VideoDownloader(DownloadClient(), new DownloadOptions { MaxBytes = limit, MaxAttempts = 1 });
            string outcome;
            try
            {
                var result = await downloader.DownloadAsync(new DownloadRequest(new Uri(server.Url + "/video.mp4"), target), cancellationToken: cancellationToken);
                outcome = $"saved {result.Length} bytes";
            }
            catch (HailuoException e)
            {
                outcome = $"{e.Error.Kind}: {e.Message}";
            }
            var onDisk = Directory.Exists(Path.GetDirectoryName(target)) ? Directory.GetFiles(Path.GetDirectoryName(target)!).Sum(f => new FileInfo(f).Length) : 0;
            var passed = expectFile is { } exact ? onDisk == exact && File.Exists(target) : onDisk == 0 && outcome.StartsWith("Protocol", StringComparison.Ordinal);
            verdicts.Add(new TransportVerdict($"{name} (MaxBytes {limit})", passed, $"{outcome}; {onDisk} bytes left on disk"));
        }
        return verdicts;
    }

    /// <summary>Each operation against each kind of server that never answers, timed against its stated bound.</summary>
    public static async Task<IReadOnlyList<TimeoutVerdict>> CheckTimeoutsAsync(TimeoutPlan plan, string folder, CancellationToken cancellationToken)
    {
        var cases = new List<Func<Task<TimeoutVerdict>>>();
        foreach (var behaviour in new[] { Hostility.Silent, Hostility.HeadersThenStall, Hostility.Trickle })
        {
            foreach (var provider in Providers)
            {
                cases.Add(() => TimeApiAsync(plan, behaviour, provider, "status", (c, t) => c.GetJobAsync("job-1", t), cancellationToken));
            }
            cases.Add(() => TimeApiAsync(plan, behaviour, HailuoProvider.Replicate, "create", (c, t) => c.SubmitAsync(new VideoRequest { Prompt = "never answered" }, cancellationToken: t), cancellationToken));
            cases.Add(() => TimeApiAsync(plan, behaviour, HailuoProvider.CoreToday, "cancel",
                (c, t) => c.CancelAsync(new HailuoJob("job-1", HailuoProvider.CoreToday, HailuoModels.Standard, JobStatus.Running), t), cancellationToken));
            cases.Add(() => TimeDownloadAsync(plan, behaviour, folder, cancellationToken));
        }
        cases.Add(() => TimeWaitAsync(plan, cancellationToken));
        var all = new List<TimeoutVerdict>();
        for (var repeat = 0; repeat < plan.Repeats; repeat++)
        {
            // All at once: each case spends its time waiting on a server that says nothing.
            all.AddRange(await Task.WhenAll(cases.Select(c => c())));
        }
        return all
            .GroupBy(v => (v.Operation, v.Behaviour))
            .Select(g => g.OrderByDescending(v => v.Measured).First() with { FailedAsExpected = g.All(v => v.FailedAsExpected) })
            .ToList();
    }

    private static async Task<TimeoutVerdict> TimeApiAsync(TimeoutPlan plan, Hostility behaviour, HailuoProvider provider, string operation,
        Func<HailuoClient, CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        await using var server = new HostileServer(behaviour) { TrickleInterval = plan.TrickleInterval };
        var options = new HailuoClientOptions(provider)
        {
            BaseUri = CmdletPipeline.EmulatorApiRoot(provider, new Uri(server.Url)),
            Credentials = new StaticCredentialSource(new HailuoCredential("timeout-key", "test")),
            CloudflareAccountId = "acc-test",
            // Cloudflare's status reads are its Batch API's; its documented run has none.
            CloudflareBatch = operation == "status",
            UseLedger = false,
        };
        plan.Apply(options);
        using var client = new HailuoClient(options);
        var bound = TimeoutPlan.ApiBound(options);
        var (elapsed, outcome, failed) = await TimeAsync(t => call(client, t), bound, cancellationToken,
            e => e is HailuoException { Error.Kind: HailuoErrorKind.Transient or HailuoErrorKind.OutcomeUnknown } h && h.Message.Contains("no answer within", StringComparison.Ordinal));
        return new TimeoutVerdict($"{operation} ({provider})", behaviour, elapsed, bound, outcome + $"; {server.Connections} connection(s)", failed);
    }

    private static async Task<TimeoutVerdict> TimeDownloadAsync(TimeoutPlan plan, Hostility behaviour, string folder, CancellationToken cancellationToken)
    {
        await using var server = new HostileServer(behaviour)
        {
            Body = VideoBytes(0),
            ContentType = "video/mp4",
            TrickleInterval = plan.TrickleInterval,
        };
        var options = plan.Download();
        var downloader = new VideoDownloader(DownloadClient(), options);
        var target = Path.Combine(folder, "timeout-" + Guid.NewGuid().ToString("N")[..8], "video.mp4");
        var bound = TimeoutPlan.DownloadBound(options);
        var (elapsed, outcome, failed) = await TimeAsync(t => downloader.DownloadAsync(new DownloadRequest(new Uri(server.Url + "/video.mp4"), target), cancellationToken: t),
            bound, cancellationToken, e => e is HailuoException { Error.Kind: HailuoErrorKind.Transient });
        return new TimeoutVerdict("download", behaviour, elapsed, bound, outcome + $"; {server.Connections} connection(s)", failed && !File.Exists(target));
    }

    /// <summary>Wait-HailuoJob -Timeout on a job whose provider never answers a status read.</summary>
    private static async Task<TimeoutVerdict> TimeWaitAsync(TimeoutPlan plan, CancellationToken cancellationToken)
    {
        await using var server = new HostileServer(Hostility.Silent);
        // Paced as the emulator at 0.01 would be: this server names no pace of its own.
        var clock = new EmulatedTime(0.01);
        using var session = new HailuoConnection(new StaticCredentialSource(new HailuoCredential("timeout-key", "test")), o =>
        {
            plan.Apply(o);
            o.UseLedger = false;
            o.TimeProvider = clock;
        });
        session.Connect(new ConnectionSettings { Provider = HailuoProvider.Replicate, BaseUri = CmdletPipeline.EmulatorApiRoot(HailuoProvider.Replicate, new Uri(server.Url)) }, null);
        session.GetClient();
        var timeout = plan.AttemptTimeout * 2;
        // The pump looks at the clock every half second (WaitBatch), so -Timeout ends within that.
        var bound = timeout + TimeSpan.FromSeconds(0.5);
        // The wait check is about time: of what it writes, only the number of objects matters.
        var output = new RecordingOutput();
        var (elapsed, outcome, _) = await TimeAsync(t => Task.Run(() =>
        {
            using var wait = new WaitBatch(output, session, new WaitBatchOptions { Timeout = timeout, ShowProgress = false }, t);
            wait.Add(new HailuoJob("job-1", HailuoProvider.Replicate, HailuoModels.Standard, JobStatus.Running), 1);
            wait.Complete();
        }, t), bound, cancellationToken, _ => false);
        var returned = outcome == "returned";
        return new TimeoutVerdict($"Wait-HailuoJob -Timeout {timeout.TotalSeconds:0.#} s", Hostility.Silent, elapsed, bound,
            returned ? $"returned with {output.ObjectCount} job(s) written" : outcome, returned && output.ObjectCount == 0);
    }

    /// <summary>Runs a call that should fail, for at most three times its bound; says how it ended and how long it took.</summary>
    private static async Task<(TimeSpan Elapsed, string Outcome, bool FailedAsExpected)> TimeAsync(Func<CancellationToken, Task> call, TimeSpan bound,
        CancellationToken cancellationToken, Func<Exception, bool> expected)
    {
        using var cap = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var limit = bound * 3 + TimeSpan.FromSeconds(5);
        cap.CancelAfter(limit);
        var clock = Stopwatch.StartNew();
        try
        {
            await call(cap.Token);
            return (clock.Elapsed, "returned", false);
        }
        catch (OperationCanceledException) when (cap.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (clock.Elapsed, $"still going after {limit.TotalSeconds:0.#} s (three times its bound, and 5 s): stopped by the test", false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var message = e.Message.Length > 160 ? e.Message[..160] + "..." : e.Message;
            return (clock.Elapsed, $"{(e is HailuoException h ? h.Error.Kind.ToString() : e.GetType().Name)}: {message}", expected(e));
        }
    }

    /// <summary>The client HailuoClient downloads with: follows redirects itself, carries no credential, no overall timeout.</summary>
    private static HttpClient DownloadClient() => new(new HttpClientHandler { AllowAutoRedirect = true }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>One of the emulator's MP4 clips, padded to <paramref name="length"/> bytes when that is longer.</summary>
    private static byte[] VideoBytes(long length) => new VideoLibrary().Open("768p-6s", length).ToArray();

    private static async Task<bool> Answer(HttpContext context, string json)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
        return true;
    }
}
