using System.Diagnostics;
using Hailuo.Connection;
using Hailuo.Credentials;
using Hailuo.Emulator.Core;
using Hailuo.Emulator;
using Hailuo.Media;
using Hailuo.Models;
using Hailuo.Pipeline;
using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>
/// An emulator that runs hostile cases one after another: each case's counts are the differences it made, and one
/// emulator (one port, so one account's rate limiters) serves them all instead of one started per case.
/// </summary>
public sealed class HostileLab : IAsyncDisposable
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    private HostileLab(EmulatorServer server) => Server = server;

    public EmulatorServer Server { get; }

    // Lab's emulator: links and outputs live for a real hour, whatever the clock.
    public static async Task<HostileLab> StartAsync() => new(await Lab.StartEmulatorAsync(HostileRunner.TimeScale));

    public async Task<HostileOutcome> RunAsync(HostileCase c, string runRoot, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            return await HostileRunner.RunAsync(Server, c, runRoot, cancellationToken);
        }
        finally
        {
            Server.State.Hostile.Replace([]);
            _oneAtATime.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _oneAtATime.Dispose();
    }
}

/// <summary>
/// Runs one hostile case through New-HailuoVideo -Wait's command logic against the lab's emulator, and checks every
/// requirement: a clear error (or a safe file), nothing paid for a row refused before sending and nothing paid twice,
/// nothing written outside the output folder, and the batch going on.
/// </summary>
public static class HostileRunner
{
    /// <summary>Recognisable, so that a scan of every message, file name and the ledger can prove it never leaks.</summary>
    public const string Key = "hostile-key-SECRET-4242-must-not-leak";

    public const double TimeScale = 0.0002;

    /// <summary>The hostile row's place in a batch, between two good rows.</summary>
    public const long HostileIndex = 2;

    private static readonly long[] GoodIndexes = [1, 3];

    /// <summary>Whether a spreadsheet would run the text as a formula (OWASP's list), judged here, not by the engine under test.</summary>
    public static bool StartsFormula(string? text) => text is { Length: > 0 } && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r';

    public static string Marker(HostileCase c) => "hostile row of " + c.Name;

    /// <summary>Runs a case against <paramref name="server"/>, which must run nothing else meanwhile (see <see cref="HostileLab"/>).</summary>
    internal static async Task<HostileOutcome> RunAsync(EmulatorServer server, HostileCase c, string runRoot, CancellationToken cancellationToken)
    {
        var folder = new CaseFolder(Path.Combine(runRoot, c.Name));
        server.State.Hostile.Replace(c.Answers.Select(answer => Aimed(answer, c, folder)));
        var hostileCells = c.Cells(folder);
        var rows = new List<CsvRow> { Bind(hostileCells, HostileIndex) };
        if (c.Batch)
        {
            rows.InsertRange(0, [Bind(GoodCells(c, 1), 1)]);
            rows.Add(Bind(GoodCells(c, 3), 3));
        }

        var output = new RecordingOutput();
        var rerun = new RecordingOutput();
        var timedOut = false;
        HashSet<string> before;
        Counts counts;
        using (var session = EmulatorConnection.Connect(server.BaseUri, HailuoProvider.Replicate, new HailuoCredential(Key, "hostile"), folder.Ledger))
        {
            if (c.Earlier is { } earlier)
            {
                // An earlier run, of another CSV, whose video is already in the output folder.
                timedOut = !Run(session, new RecordingOutput(), [Bind(earlier, 1)], c, folder, cancellationToken);
            }
            before = Snapshot(runRoot);
            counts = Counts.Of(server);
            timedOut |= !Run(session, output, rows, c, folder, cancellationToken);
            if (c.Group == HostileGroup.ServerAnswer)
            {
                // Run the row again as a re-run of the batch would, against a server now behaving: it must not pay again.
                server.State.Hostile.Replace([]);
                timedOut |= !Run(session, rerun, [Bind(hostileCells, HostileIndex)], c, folder, cancellationToken);
            }
        }
        return Judge(c, folder, Counts.Of(server).Since(counts), output, rerun, rows.Single(r => r.Input.Index == HostileIndex).Input.Request.Prompt, before, Snapshot(runRoot), timedOut);
    }

    /// <summary>What the emulator has counted: the create requests, the hostile answers given, and the jobs made (paid for).</summary>
    private sealed record Counts(long CreateRequests, long HostileAnswers, IReadOnlyList<EmulatedJob> Jobs)
    {
        public static Counts Of(EmulatorServer server)
        {
            var stats = Lab.Stats(server);
            return new(Interlocked.Read(ref stats.CreateRequests), Interlocked.Read(ref stats.HostileAnswers), Lab.Jobs(server));
        }

        public Counts Since(Counts earlier)
        {
            var old = earlier.Jobs.Select(j => j.Id).ToHashSet(StringComparer.Ordinal);
            return new(CreateRequests - earlier.CreateRequests, HostileAnswers - earlier.HostileAnswers, Jobs.Where(j => !old.Contains(j.Id)).ToList());
        }
    }

    /// <summary>A row of the case's CSV as the cmdlet binds it; errors about it point at "row n".</summary>
    private static CsvRow Bind(IReadOnlyDictionary<string, string?> cells, long index) => Csv.Bind(cells, index, $"row {index}");

    private static Dictionary<string, string?> GoodCells(HostileCase c, long index) =>
        new() { ["Prompt"] = $"good row {index} of {c.Name}", ["shot"] = $"good-{index}" };

    /// <summary>The answer aimed at this case's hostile row only, with <c>{root}</c> filled in.</summary>
    private static HostileAnswer Aimed(HostileAnswer answer, HostileCase c, CaseFolder folder)
    {
        string? Fill(string? text) => text?.Replace("{root}", folder.Root, StringComparison.Ordinal);
        var aimed = answer.Clone();
        aimed.PromptContains = Marker(c);
        aimed.JobId = Fill(answer.JobId);
        aimed.Body = Fill(answer.Body);
        aimed.Headers = answer.Headers.ToDictionary(h => h.Key, h => Fill(h.Value)!, StringComparer.OrdinalIgnoreCase);
        return aimed;
    }

    /// <summary>New-HailuoVideo -Wait over the rows; false when it had not finished within the case's time.</summary>
    private static bool Run(HailuoConnection session, RecordingOutput output, IEnumerable<CsvRow> rows, HostileCase c, CaseFolder folder, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(20));
        using var command = new VideoSubmission(output, session, new VideoSubmissionOptions { Wait = true, Path = folder.Output, FileNameTemplate = c.Template }, deadline.Token);
        try
        {
            foreach (var row in rows)
            {
                row.SubmitTo(command);
            }
            command.Complete();
            return true;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static HostileOutcome Judge(HostileCase c, CaseFolder folder, Counts counted, RecordingOutput output, RecordingOutput rerun, string? hostilePrompt,
        IReadOnlySet<string> before, IReadOnlySet<string> after, bool timedOut)
    {
        var marker = Marker(c);
        var paid = counted.Jobs.Count(j => j.Input["prompt"]?.ToString() is { } p && (p == hostilePrompt || p.Contains(marker, StringComparison.Ordinal)));
        var goodPaid = counted.Jobs.Count(j => j.Input["prompt"]?.ToString()?.StartsWith("good row ", StringComparison.Ordinal) == true);
        var sent = counted.CreateRequests - goodPaid;

        var errors = output.Errors.Where(e => e.Message.StartsWith($"Row {HostileIndex}:", StringComparison.Ordinal)).ToList();
        var saved = output.Objects.OfType<SavedVideo>().ToList();
        var savedHostile = saved.Where(s => s.Index == HostileIndex).ToList();
        var savedPaths = new HashSet<string>(saved.Concat(rerun.Objects.OfType<SavedVideo>()).Select(s => s.Path), StringComparer.Ordinal);
        var added = after.Except(before).Where(p => !savedPaths.Contains(p) && !IsLedger(p, folder) && p != folder.Output).ToList();
        var outside = added.Where(p => !IsUnder(p, folder.Output)).Select(p => Path.GetRelativePath(folder.Root, p)).ToList();
        var leftovers = added.Where(p => IsUnder(p, folder.Output)).Select(Path.GetFileName).ToList();
        bool? batchWentOn = c.Batch
            ? GoodIndexes.All(i => saved.Any(s => s.Index == i && IsWholeMp4(s.Path)) && !output.Errors.Any(e => e.Message.StartsWith($"Row {i}:", StringComparison.Ordinal)))
            : null;

        var first = errors.FirstOrDefault();
        var clear = first is not null
            && c.Mentions.All(m => first.Message.Contains(m, StringComparison.OrdinalIgnoreCase))
            && first.Remedy != HailuoRemedy.None
            && (c.Kind is null || first.Error.Kind == c.Kind);
        var outcome = new HostileOutcome
        {
            Case = c,
            Error = first?.Message,
            ClearError = clear,
            PaidCreates = paid,
            CreatesSent = sent,
            FilesOutside = outside,
            BatchWentOn = batchWentOn,
        };
        var v = outcome.Violations;
        if (timedOut)
        {
            v.Add("it had not finished after 20 s");
        }
        if (c.Expect == HostileExpectation.Refused)
        {
            if (first is null)
            {
                v.Add("no error was written about the row");
            }
            else if (!clear)
            {
                v.Add($"the error is not the clear one expected (mentions {string.Join(", ", c.Mentions.Select(m => $"'{m}'"))}{(c.Kind is null ? "" : $", kind {c.Kind}")}; was {first.Error.Kind})");
            }
            if (savedHostile.Count > 0)
            {
                v.Add("a video was saved for a row that had to be refused");
            }
        }
        else
        {
            if (first is not null)
            {
                v.Add("the row was refused, though it must be handled safely");
            }
            var file = savedHostile.FirstOrDefault();
            if (file is null)
            {
                v.Add("no video was saved for the row");
            }
            else
            {
                var expected = c.SavedAs?.Replace("{id}", file.Job.Id, StringComparison.Ordinal);
                if (Path.GetDirectoryName(file.Path) != folder.Output || (expected is not null && Path.GetFileName(file.Path) != expected))
                {
                    v.Add($"the video was saved as '{file.Path}', not '{Path.Combine(folder.Output, expected ?? "(a name)")}'");
                }
                if (!IsWholeMp4(file.Path))
                {
                    v.Add("the saved video is not a whole MP4");
                }
            }
        }
        if (paid > c.PaidCreates)
        {
            v.Add(c.PaidCreates == 0 ? $"{paid} paid create(s) for a row refused before sending" : $"{paid} paid creates for the row: it was paid for again");
        }
        if (c.PaidCreates == 0 && c.Group != HostileGroup.ServerAnswer && sent > 0)
        {
            v.Add($"{sent} create request(s) were sent for a row refused before sending");
        }
        if (c.Group == HostileGroup.ServerAnswer && counted.HostileAnswers == 0)
        {
            v.Add("the server never gave the hostile answer, so the case tested nothing");
        }
        if (outside.Count > 0)
        {
            v.Add("written outside the output folder: " + string.Join(", ", outside));
        }
        if (leftovers.Count > 0)
        {
            v.Add("left in the output folder besides the videos: " + string.Join(", ", leftovers));
        }
        if (batchWentOn == false)
        {
            var why = GoodIndexes.Select(i => output.Errors.FirstOrDefault(e => e.Message.StartsWith($"Row {i}:", StringComparison.Ordinal)) is { } error
                    ? $"row {i}: {error.Message}"
                    : saved.Any(s => s.Index == i && IsWholeMp4(s.Path)) ? null
                    : saved.Any(s => s.Index == i) ? $"row {i}: its file is not a whole MP4" : $"row {i}: no file and no error")
                .OfType<string>();
            v.Add("the good rows around it did not both complete (" + string.Join("; ", why) + ")");
        }
        if (output.Errors.Count(e => !e.Message.StartsWith("Row ", StringComparison.Ordinal)) is > 0 and var loose)
        {
            v.Add($"{loose} error(s) named no row");
        }
        foreach (var job in output.Objects.Select(JobOf).OfType<HailuoJob>().Where(j => j.Id.Length > 0))
        {
            if (StartsFormula(job.Id) || StartsFormula(job.FileId) || StartsFormula(job.Error?.Message))
            {
                v.Add($"job {job.Id} has a field that starts a spreadsheet formula");
            }
        }
        if (saved.Any(s => StartsFormula(Path.GetFileName(s.Path))))
        {
            v.Add("a file name starts a spreadsheet formula");
        }
        if (output.AllText().Concat(rerun.AllText()).Concat(after).Append(File.Exists(folder.Ledger) ? File.ReadAllText(folder.Ledger) : "").Any(t => t.Contains(Key, StringComparison.Ordinal)))
        {
            v.Add("the API key appears in a message, a file name or the ledger");
        }
        return outcome;
    }

    private static HailuoJob? JobOf(object written) => written switch
    {
        JobResult r => r.Job,
        SavedVideo s => s.Job,
        _ => null,
    };

    private static bool IsUnder(string path, string folder) => path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static bool IsLedger(string path, CaseFolder folder) =>
        path == folder.Ledger || path.StartsWith(folder.Ledger + ".", StringComparison.Ordinal);

    private static bool IsWholeMp4(string path)
    {
        try
        {
            Mp4Inspector.Inspect(path);
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return false;
        }
    }

    /// <summary>Every file and folder under <paramref name="root"/>, so that anything new can be found.</summary>
    private static HashSet<string> Snapshot(string root) =>
        Directory.Exists(root)
            ? new HashSet<string>(Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories), StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
}
