using System.Collections.Concurrent;
using System.Diagnostics;
using Hailuo.Connection;
using Hailuo.Credentials;
using Hailuo.Emulator.Core;
using Hailuo.Emulator;
using Hailuo.Ledger;
using Hailuo.Models;
using Hailuo.Pipeline;
using Hailuo.Providers;
using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>What a secret-hygiene run covers.</summary>
public sealed class SecretPlan
{
    /// <summary>Every fault the emulator can inject, in two mixes so that each kind gets its turn.</summary>
    public static readonly IReadOnlyList<string> AllFaults =
    [
        "5xx=0.15:2,429=0.1:1,reset=0.05,drop=0.05,malformed=0.1,truncate=0.1,download:expire=0.3,slow=0.05:50",
        "create:filter=0.4,create:credits=0.2,status:5xx=0.2,status:malformed=0.2,download:truncate=0.3,retrieve:429=0.3:1",
    ];

    public required string Folder { get; init; }

    public IReadOnlyList<HailuoProvider> Providers { get; init; } = Enum.GetValues<HailuoProvider>();

    /// <summary>Where Connect-Hailuo takes the key from: an environment variable, or -ApiKey (a static source).</summary>
    public IReadOnlyList<CredentialOrigin> Origins { get; init; } = [CredentialOrigin.Environment, CredentialOrigin.ApiKey];

    /// <summary>Each round runs everything again with another emulator seed, so other faults land on other calls.</summary>
    public int Rounds { get; init; } = 1;

    /// <summary>Good rows per New-HailuoVideo batch; each batch also has one invalid row.</summary>
    public int Rows { get; init; } = 2;

    public IReadOnlyList<string> FaultMixes { get; init; } = AllFaults;

    public double TimeScale { get; init; } = 0.005;

    /// <summary>How long one provider's run may take before it counts as hung.</summary>
    public TimeSpan RunDeadline { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Told when each session starts a phase, for the long run's log.</summary>
    public Action<string>? Progress { get; init; }
}

/// <summary>What a run did and what the scanner saw.</summary>
public sealed class SecretReport(SecretScanner scanner, string key, string wrongKey)
{
    private long _operations;
    private long _videos;
    private long _faults;
    private long _authFailures;

    public SecretScanner Scanner { get; } = scanner;

    /// <summary>The key the emulator accepts.</summary>
    public string Key { get; } = key;

    /// <summary>The key a user connects with by mistake: sent, refused, and just as secret.</summary>
    public string WrongKey { get; } = wrongKey;

    public int Runs { get; set; }

    public long Operations => Interlocked.Read(ref _operations);

    public long VideosSaved => Interlocked.Read(ref _videos);

    public long FaultsInjected => Interlocked.Read(ref _faults);

    public long AuthFailures => Interlocked.Read(ref _authFailures);

    /// <summary>Records written per stream (output, error, warning, verbose, debug, progress, confirmation, log levels).</summary>
    public ConcurrentDictionary<string, long> Streams { get; } = new(StringComparer.Ordinal);

    /// <summary>Answers from the echoing provider that carried the key back.</summary>
    public long EchoedAnswers { get; set; }

    public long FirstChanceExceptions { get; set; }

    /// <summary>Operations that escaped command logic or hung: the run itself went wrong.</summary>
    public ConcurrentQueue<string> Failures { get; } = new();

    public TimeSpan Elapsed { get; set; }

    internal void CountOperation() => Interlocked.Increment(ref _operations);

    internal void CountVideo() => Interlocked.Increment(ref _videos);

    internal void CountEmulator(ProviderStats stats)
    {
        Interlocked.Add(ref _faults, Interlocked.Read(ref stats.FaultsInjected));
        Interlocked.Add(ref _authFailures, Interlocked.Read(ref stats.AuthFailures));
    }

    internal void CountStream(string stream) => Streams.AddOrUpdate(stream, 1, (_, n) => n + 1);
}

/// <summary>
/// Part 4 of issue 6: every operation a user has (connect with the key from the environment or as
/// -ApiKey, submit, get, wait, stop, save, list, disconnect), against all four providers, with verbose
/// and debug output captured, through every fault the emulator injects, with a wrong key, and through
/// a provider that echoes the key back in its errors; then everything written is scanned for the key.
/// </summary>
public static class SecretHygiene
{
    public static async Task<SecretReport> RunAsync(SecretPlan plan, CancellationToken cancellationToken)
    {
        var key = SecretScanner.NewCanary();
        var wrongKey = SecretScanner.NewCanary();
        var report = new SecretReport(new SecretScanner(key, wrongKey), key, wrongKey);
        var clock = Stopwatch.StartNew();
        var runs = (from provider in plan.Providers
                    from origin in plan.Origins
                    from round in Enumerable.Range(1, plan.Rounds)
                    select (provider, origin, round)).ToList();
        report.Runs = runs.Count;
        Directory.CreateDirectory(plan.Folder);
        long echoed = 0;
        using (var thrown = new FirstChanceExceptions())
        {
            // Runs mostly wait on the emulated clock, so several share a core.
            await Parallel.ForEachAsync(runs, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (run, token) =>
                Interlocked.Add(ref echoed, await RunOneAsync(plan, report, run.provider, run.origin, run.round, token)));
            foreach (var exception in thrown.Seen)
            {
                report.Scanner.ScanException("thrown", exception);
            }
            report.FirstChanceExceptions = thrown.Seen.Count;
        }
        report.EchoedAnswers = echoed;
        report.Scanner.ScanFolder(plan.Folder);
        report.Elapsed = clock.Elapsed;
        return report;
    }

    /// <summary>
    /// Plants a key in every place and form the scanner reads, and returns what it failed to see: a
    /// scan that reports nothing must be one that would have reported something.
    /// </summary>
    public static (int Plantings, IReadOnlyList<string> Misses) PlantedMisses(string folder)
    {
        var plantings = 0;
        Directory.CreateDirectory(folder);
        var key = SecretScanner.NewCanary();
        var misses = new List<string>();
        var probe = new SecretScanner(key);
        foreach (var (form, needle) in probe.Needles)
        {
            var scanner = new SecretScanner(key);
            var planted = $"before {needle} after";
            scanner.ScanText(SecretPlace.Log, "planted", planted);
            scanner.ScanRecord(SecretPlace.Streams, "planted", new { Message = planted });
            var inner = new InvalidOperationException("inner " + planted);
            var outer = new HailuoException(new HailuoError(HailuoErrorKind.Transient, "outer"), inner);
            scanner.ScanException("planted inner", outer);
            var data = new IOException("data");
            data.Data["header"] = planted;
            scanner.ScanException("planted data", data);
            var utf8 = Path.Combine(folder, "planted-utf8.txt");
            File.WriteAllText(utf8, planted, new System.Text.UTF8Encoding(false));
            scanner.ScanFile(SecretPlace.Files, utf8);
            var utf16 = Path.Combine(folder, "planted-utf16.txt");
            File.WriteAllText(utf16, planted, System.Text.Encoding.Unicode);
            scanner.ScanFile(SecretPlace.Files, utf16);
            // Each place and way in, by where the scanner says it saw the key.
            var wanted = new (SecretPlace Place, string Where)[]
            {
                (SecretPlace.Log, "planted"),
                (SecretPlace.Streams, "planted"),
                (SecretPlace.Exceptions, "planted inner (InvalidOperationException)"),
                (SecretPlace.Exceptions, "planted data (IOException)"),
                (SecretPlace.Files, utf8),
                (SecretPlace.Files, utf16),
            };
            foreach (var (place, where) in wanted)
            {
                plantings++;
                if (!scanner.LeaksIn(place).Contains($"{place}: {form} in {where}"))
                {
                    misses.Add($"{form} planted in {place} ({Path.GetFileName(where)})");
                }
            }
        }
        // The ledger writes JSON, which escapes '+' and '/': the raw key is not in the file, the escaped one is.
        var ledger = Path.Combine(folder, JobLedger.FileName);
        File.WriteAllText(ledger, System.Text.Json.JsonSerializer.Serialize(new { error = "refused " + key }) + "\n");
        plantings++;
        var ledgerScan = new SecretScanner(key);
        ledgerScan.ScanFolder(folder);
        if (!ledgerScan.LeaksIn(SecretPlace.Ledger).Any())
        {
            misses.Add("a key written into the ledger as JSON");
        }
        return (plantings, misses);
    }

    private static async Task<long> RunOneAsync(SecretPlan plan, SecretReport report, HailuoProvider provider, CredentialOrigin origin, int round, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(plan.Folder, $"{provider}-{origin}-{round}".ToLowerInvariant());
        await using var emulator = await EmulatorServer.StartLocalAsync(o =>
        {
            o.TimeScale = plan.TimeScale;
            o.Seed = round * 31 + (int)provider;
            o.ApiKey = report.Key;
        });
        // "Another host" for the echoing provider: a second loopback address in front of the same emulator.
        await using var echo = await LoopbackRelay.StartAsync("127.0.0.2");
        echo.UpstreamRoot = emulator.BaseUri;
        echo.RewriteBody = LoopbackRelay.EchoCredential;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(plan.RunDeadline);
        var run = new SecretRun(plan, report, provider, origin, folder, emulator, deadline.Token);
        try
        {
            await Task.Run(() => run.Run(echo.Url), deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            report.Failures.Enqueue($"{provider} ({origin}, round {round}) did not finish within {plan.RunDeadline.TotalSeconds:0} s; it was in phase '{run.Phase}'.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            report.Scanner.ScanException("escaped", e);
            report.Failures.Enqueue($"{provider} ({origin}, round {round}), phase '{run.Phase}': {e.GetType().Name} escaped: {e.Message}");
        }
        finally
        {
            run.Dispose();
        }
        foreach (var stats in emulator.State.Stats.Providers.Values)
        {
            report.CountEmulator(stats);
        }
        return echo.Received.Count(r => r.CarriesCredential);
    }

    /// <summary>One provider and credential origin: a PowerShell session's worth of commands, in order.</summary>
    private sealed class SecretRun : IDisposable
    {
        private readonly SecretPlan _plan;
        private readonly SecretReport _report;
        private readonly HailuoProvider _provider;
        private readonly CredentialOrigin _origin;
        private readonly string _folder;
        private readonly EmulatorServer _emulator;
        private readonly CancellationToken _token;
        private readonly HailuoConnection _session;
        private readonly RecordingOutput _output;
        private readonly List<HailuoJob> _known = [];
        private string _key;
        private int _batch;

        public SecretRun(SecretPlan plan, SecretReport report, HailuoProvider provider, CredentialOrigin origin, string folder, EmulatorServer emulator, CancellationToken token)
        {
            _plan = plan;
            _report = report;
            _provider = provider;
            _origin = origin;
            _folder = folder;
            _emulator = emulator;
            _token = token;
            _key = report.Key;
            // What a cmdlet's streams receive, each record scanned as it is written.
            _output = new RecordingOutput
            {
                Written = (stream, record) =>
                {
                    report.CountStream(stream);
                    report.Scanner.ScanWritten(stream, record);
                },
            };
            _session = new HailuoConnection(new EnvironmentCredentialSource(Variable), o =>
            {
                o.LedgerPath = Path.Combine(folder, "ledger", JobLedger.FileName);
                // Verbose and debug on: every diagnostic line the engine makes is captured and scanned.
                o.Log = (level, line) =>
                {
                    report.CountStream("log " + level);
                    report.Scanner.ScanText(SecretPlace.Log, $"log {level}", line);
                };
                o.AttemptTimeout = TimeSpan.FromSeconds(15);
            });
        }

        private string _phase = "start";

        public string Phase
        {
            get => _phase;
            private set
            {
                _phase = value;
                _plan.Progress?.Invoke($"{_provider} ({_origin}): {value}");
            }
        }

        private string ConfigPath => Path.Combine(_folder, "config", ConnectionStore.FileName);

        private Uri EmulatorBase => CmdletPipeline.EmulatorApiRoot(_provider, _emulator.BaseUri);

        /// <summary>The process environment as the environment source sees it: the key under the provider's variable.</summary>
        private string? Variable(string name) =>
            _origin != CredentialOrigin.Environment ? null
            : name == ProviderProfiles.For(_provider).CredentialVariable ? _key
            : name == EnvironmentCredentialSource.CloudflareAccountVariable ? "acc-canary"
            : null;

        public void Run(string echoRoot)
        {
            Connect(EmulatorBase, _report.Key);
            Batch("clean");
            foreach (var mix in _plan.FaultMixes)
            {
                _emulator.State.Faults.Replace(FaultRule.ParseSpec(mix));
                Batch("faults " + mix);
            }
            _emulator.State.Faults.Replace([]);

            Connect(EmulatorBase, _report.WrongKey);
            Batch("wrong key");

            var echoBase = CmdletPipeline.EmulatorApiRoot(_provider, new Uri(echoRoot));
            Connect(echoBase, _report.Key);
            _emulator.State.Faults.Replace(FaultRule.ParseSpec(_plan.FaultMixes[^1]));
            Batch("echoing provider, faults");
            _emulator.State.Faults.Replace([]);
            Connect(echoBase, _report.WrongKey);
            Batch("echoing provider, wrong key");

            Phase = "disconnect";
            _session.Disconnect();
            ConnectionStore.Delete(ConfigPath);
            Scan("session after Disconnect-Hailuo", _session.ToString());
            _report.CountOperation();
        }

        /// <summary>Connect-Hailuo: settings persisted (never the key), the client made, which checks URL and key.</summary>
        private void Connect(Uri baseUri, string key)
        {
            Phase = "connect";
            _key = key;
            var settings = new ConnectionSettings
            {
                Provider = _provider,
                BaseUri = baseUri,
                CloudflareAccountId = _origin == CredentialOrigin.Environment ? null : "acc-canary",
                CredentialOrigin = _origin,
            };
            _session.Connect(settings, _origin == CredentialOrigin.ApiKey ? new HailuoCredential(key, "-ApiKey") : null);
            var client = _session.GetClient();
            ConnectionStore.Save(settings, ConfigPath);
            _report.Scanner.ScanFile(SecretPlace.Configuration, ConfigPath);
            Scan("connection", _session.ToString(), client.Account, client.Options.EffectiveBaseUri.ToString(),
                _session.Credential?.ToString(), SecretScanner.Describe(_session.Settings), SecretScanner.Describe(ConnectionStore.Load(ConfigPath)));
            _report.CountOperation();
        }

        /// <summary>New (with and without -Wait), Get, Wait, Save, Stop and the ledger list, as one phase.</summary>
        private void Batch(string phase)
        {
            Phase = phase;
            var batch = ++_batch;
            var rows = Enumerable.Range(1, _plan.Rows).Select(i => Row(batch, i)).Append(Row(batch, 0, prompt: " ")).ToList();
            var jobs = Command(new VideoSubmission(_output, _session, new VideoSubmissionOptions(), _token), c =>
            {
                rows.ForEach(c.Process);
                c.Complete();
            }).OfType<JobResult>().Select(r => r.Job).ToList();
            lock (_known)
            {
                _known.AddRange(jobs);
            }
            // With a wrong key nothing new is accepted: the older jobs are read, waited on and saved instead.
            var subjects = jobs.Count > 0 ? jobs : _known.Take(_plan.Rows).ToList();

            var reader = new JobActions(_output, _session, _token);
            foreach (var job in subjects)
            {
                Run(() => reader.Get(job.Id, _provider.ToString()));
            }
            var finished = Command(new WaitBatch(_output, _session, new WaitBatchOptions { Timeout = TimeSpan.FromSeconds(30) }, _token), c =>
            {
                var index = 0;
                subjects.ForEach(j => c.Add(j, ++index));
                c.Complete();
            }).OfType<JobResult>().Select(r => r.Job).ToList();
            var saved = Command(new SaveBatch(_output, _session, new SaveBatchOptions { Path = Path.Combine(_folder, "videos") }, _token), c =>
            {
                var index = 0;
                finished.ForEach(j => c.Add(j, ++index));
                c.Complete();
            });
            saved.AddRange(Command(new VideoSubmission(_output, _session, new VideoSubmissionOptions { Wait = true, Path = Path.Combine(_folder, "videos-wait") }, _token), c =>
            {
                c.Process(Row(batch, _plan.Rows + 1));
                c.Complete();
            }));
            foreach (var _ in saved.OfType<SavedVideo>())
            {
                _report.CountVideo();
            }

            var toStop = Command(new VideoSubmission(_output, _session, new VideoSubmissionOptions(), _token), c =>
            {
                c.Process(Row(batch, _plan.Rows + 2));
                c.Complete();
            }).OfType<JobResult>().Select(r => r.Job).FirstOrDefault() ?? subjects.FirstOrDefault();
            if (toStop is not null)
            {
                Run(() => reader.Stop(toStop, 0, passThru: true));
            }
            Run(() => reader.List(LedgerQuery.All));
        }

        private RowInput Row(int batch, int index, string? prompt = null)
        {
            var text = prompt ?? $"batch {batch} row {index} ({_provider}, {_origin}): a lighthouse at dusk, waves breaking";
            var tag = new Dictionary<string, string?> { ["prompt"] = text, ["row"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            return new RowInput(new VideoRequest { Prompt = text }, index) { Tag = tag, Target = tag };
        }

        /// <summary>Runs one command as a cmdlet would (process, then end) and returns what it wrote to the output stream.</summary>
        private List<object> Command<T>(T command, Action<T> body)
            where T : IDisposable
        {
            var before = _output.ObjectCount;
            using (command)
            {
                Run(() => body(command));
            }
            return _output.ObjectsSince(before);
        }

        private void Run(Action action)
        {
            _token.ThrowIfCancellationRequested();
            _report.CountOperation();
            try
            {
                action();
            }
            catch (HailuoException e)
            {
                // What HailuoCmdlet.Run turns into a terminating error record.
                _report.Scanner.ScanException("terminating error", e);
                _output.WriteError(new CommandError(e.Error, null));
            }
        }

        private void Scan(string where, params string?[] texts)
        {
            foreach (var text in texts)
            {
                _report.Scanner.ScanText(SecretPlace.Streams, where, text);
            }
        }

        public void Dispose() => _session.Dispose();
    }
}
