using System.Text.Json;
using Hailuo.Emulator;
using Hailuo.Emulator.Core;
using Hailuo.Ledger;
using Hailuo.Media;
using Hailuo.Models;
using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>A batch checked after its last run: every row, the output folder, the ledger, and the provider's own count.</summary>
public abstract class BatchAudit
{
    public required RowLedger Rows { get; init; }

    public required FolderAudit Folder { get; init; }

    public required LedgerAudit Ledger { get; init; }

    public required ProviderTally Provider { get; init; }
}

/// <summary>An output folder after a batch: every file must be a whole MP4, and nothing else may be left.</summary>
public sealed class FolderAudit
{
    private FolderAudit()
    {
    }

    /// <summary>Files that Mp4Inspector reads as whole MP4s.</summary>
    public List<string> Videos { get; } = [];

    /// <summary>MP4s that are not whole, with why.</summary>
    public List<string> Corrupt { get; } = [];

    /// <summary>Anything else: temp files, partial downloads.</summary>
    public List<string> Leftovers { get; } = [];

    public bool Clean => Corrupt.Count == 0 && Leftovers.Count == 0;

    public static FolderAudit Of(string folder)
    {
        var audit = new FolderAudit();
        if (!Directory.Exists(folder))
        {
            return audit;
        }
        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (!name.EndsWith(".mp4", StringComparison.Ordinal) || name.StartsWith('.'))
            {
                audit.Leftovers.Add(name);
                continue;
            }
            try
            {
                Mp4Inspector.Inspect(path);
                audit.Videos.Add(path);
            }
            catch (InvalidDataException e)
            {
                audit.Corrupt.Add($"{name}: {e.Message}");
            }
        }
        return audit;
    }

    public string Describe() =>
        $"{Videos.Count} whole MP4s, {Corrupt.Count} corrupt, {Leftovers.Count} other files" +
        (Corrupt.Count + Leftovers.Count == 0 ? "" : ": " + string.Join("; ", Corrupt.Concat(Leftovers).Take(5)));
}

/// <summary>
/// The ledger after a batch, read back with <see cref="JobLedger"/> and checked entry by entry against the
/// emulator's own record of the jobs it made (and was paid for).
/// </summary>
public sealed class LedgerAudit
{
    private HashSet<string> _repeated = [];

    private LedgerAudit()
    {
    }

    public int Lines { get; private set; }

    /// <summary>Lines that are not JSON: a record torn by a kill, which readers skip.</summary>
    public int TornLines { get; private set; }

    public int Entries { get; private set; }

    /// <summary>Entries by state and last status, such as "Submitted/Succeeded: 40".</summary>
    public SortedDictionary<string, int> States { get; } = new(StringComparer.Ordinal);

    /// <summary>Entries whose create was sent and never answered, still open: rows that need the user's decision.</summary>
    public List<string> Undecided { get; } = [];

    /// <summary>Jobs the provider made for rows the ledger holds as undecided: paid, and waiting for the user's decision.</summary>
    public int PaidBehindUndecided { get; private set; }

    /// <summary>Everything inconsistent, one line each; empty when the ledger agrees with itself, the disk and the provider.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>The ledger agrees with itself, the disk and the provider, and leaves nothing undecided.</summary>
    public bool Consistent => Problems.Count == 0 && Undecided.Count == 0;

    /// <param name="path">The ledger file.</param>
    /// <param name="provider">The provider's count: every job it made for this account (the emulator's board).</param>
    /// <param name="final">True after the last run: every job must then be final and every success on disk.</param>
    public static LedgerAudit Of(string path, ProviderTally provider, bool final)
    {
        var paid = provider.Jobs;
        var audit = new LedgerAudit();
        foreach (var line in File.ReadLines(path))
        {
            audit.Lines++;
            try
            {
                using var _ = JsonDocument.Parse(line);
            }
            catch (JsonException)
            {
                audit.TornLines++;
            }
        }
        IReadOnlyList<LedgerEntry> entries;
        try
        {
            using var ledger = new JobLedger(path);
            entries = ledger.List(LedgerQuery.All);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException)
        {
            audit.Problems.Add($"the ledger cannot be read: {e.Message}");
            return audit;
        }
        audit.Entries = entries.Count;
        audit._repeated = paid.GroupBy(j => j.InputHash).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var byId = paid.ToDictionary(j => j.Id, StringComparer.Ordinal);
        if (provider.Provider == HailuoProvider.Cloudflare)
        {
            // Cloudflare answers a queued run with a request id of its own, which the emulator maps to its job: the ledger's
            // id is that request id, so the job is found by its input (each row's prompt is its own).
            var byPrompt = paid.GroupBy(j => j.Input["prompt"]?.ToString() ?? "").ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            foreach (var entry in entries.Where(e => e.JobId is not null && !byId.ContainsKey(e.JobId) && e.Request?.Prompt is not null))
            {
                if (byPrompt.TryGetValue(entry.Request!.Prompt!, out var job))
                {
                    byId[entry.JobId!] = job;
                }
            }
        }
        var claimed = new Dictionary<string, string>(StringComparer.Ordinal);
        var latestByInput = entries.GroupBy(e => e.InputHash ?? e.Key).ToDictionary(g => g.Key, g => g.First());
        foreach (var entry in entries)
        {
            var state = entry.State + (entry.Status is { } status ? "/" + status : "");
            audit.States[state] = audit.States.GetValueOrDefault(state) + 1;
            audit.Check(entry, byId, claimed, final, latestByInput[entry.InputHash ?? entry.Key] == entry);
        }
        // A job made by a create whose answer never came, on a provider that cannot be asked for it: the ledger holds
        // its row as undecided, which is where it belongs until the user decides (its prompt says which row it is).
        var undecidedPrompts = entries.Where(e => e.State is LedgerState.Submitting or LedgerState.OutcomeUnknown)
            .Select(e => e.Request?.Prompt).ToHashSet(StringComparer.Ordinal);
        foreach (var job in paid.Where(j => !claimed.ContainsKey(j.Id)))
        {
            if (job.Input["prompt"]?.ToString() is { } prompt && undecidedPrompts.Contains(prompt))
            {
                audit.PaidBehindUndecided++;
                continue;
            }
            audit.Problems.Add($"the provider made job {job.Id} (paid), but no ledger entry has it");
        }
        return audit;
    }

    private void Check(LedgerEntry e, Dictionary<string, EmulatedJob> paid, Dictionary<string, string> claimed, bool final, bool latest)
    {
        var row = e.Tag.TryGetValue("row", out var value) ? "row " + value : "no row";
        var name = $"entry {e.Key[..Math.Min(8, e.Key.Length)]} ({row})";
        switch (e.State)
        {
            case LedgerState.Submitted:
                if (e.JobId is null)
                {
                    Problems.Add($"{name} is Submitted without a job id");
                    return;
                }
                if (!paid.TryGetValue(e.JobId, out var job))
                {
                    Problems.Add($"{name} has job {e.JobId}, which the provider never made");
                    return;
                }
                if (!claimed.TryAdd(job.Id, e.Key))
                {
                    Problems.Add($"{name} has job {e.JobId}, which another entry has too");
                }
                if (_repeated.Contains(job.InputHash))
                {
                    Problems.Add($"{name}: the provider made its input more than once");
                }
                if (final)
                {
                    CheckFinal(name, e, job);
                }
                break;
            case LedgerState.Submitting:
            case LedgerState.OutcomeUnknown:
                Undecided.Add($"{name}: {e.State}{(e.Error is { } why ? " (" + why.Message + ")" : "")}");
                break;
            case LedgerState.Rejected:
                if (e.Error is null)
                {
                    Problems.Add($"{name} is Rejected without a reason");
                }
                if (final && latest && e.Error?.Kind == HailuoErrorKind.NotFound)
                {
                    // A create found never to have arrived is sent again at once: a later entry must follow it.
                    Problems.Add($"{name} never arrived and was not sent again");
                }
                break;
        }
    }

    private void CheckFinal(string name, LedgerEntry e, EmulatedJob job)
    {
        var expected = job.State switch
        {
            JobState.Succeeded => JobStatus.Succeeded,
            JobState.Failed => JobStatus.Failed,
            JobState.Canceled => JobStatus.Canceled,
            _ => (JobStatus?)null,
        };
        if (expected is null || e.Status != expected)
        {
            Problems.Add($"{name}: the ledger says {e.Status?.ToString() ?? "no status"}, the provider {job.State}");
            return;
        }
        if (expected == JobStatus.Failed && e.Error is null)
        {
            Problems.Add($"{name} failed without a reason");
        }
        if (expected == JobStatus.Succeeded && !e.IsDownloaded)
        {
            Problems.Add($"{name} succeeded but its video is not on disk as recorded ({e.VideoPath ?? "no path"})");
        }
    }

    /// <summary>The requirement row: the ledger agrees with itself, the disk and the provider, and leaves nothing undecided.</summary>
    public Figure ConsistencyFigure(string name) => Requirement.Of(
        name,
        Describe(),
        "opens with JobLedger; every paid job in exactly one entry, final as the provider says, every success on disk", "", "0 problems",
        Consistent,
        string.Join("; ", Problems.Concat(Undecided).Take(3)));

    public string Describe() =>
        $"{Entries} entries over {Lines} lines ({TornLines} torn); " + string.Join(", ", States.Select(s => $"{s.Key}: {s.Value}")) +
        (Problems.Count == 0 ? "" : $"; {Problems.Count} problems: " + string.Join("; ", Problems.Take(5)));
}

/// <summary>The provider's own count, from the emulator: the jobs it made (each one paid for) and the requests it was sent.</summary>
public sealed class ProviderTally
{
    private ProviderTally()
    {
    }

    public HailuoProvider Provider { get; private init; }

    public long Creates { get; private init; }

    public long CreateRequests { get; private init; }

    /// <summary>Creates of an input the provider had already made a job for.</summary>
    public long DuplicateCreates { get; private init; }

    /// <summary>Distinct inputs the provider made a job for.</summary>
    public int InputsCreated { get; private init; }

    public long Requests { get; private init; }

    public long Downloads { get; private init; }

    public long ApiRequests => Requests - Downloads;

    /// <summary>Calls that listed the account's jobs (how a lost create is looked up).</summary>
    public long Lists { get; private init; }

    public IReadOnlyDictionary<string, long> FaultsByKind { get; private init; } = new Dictionary<string, long>();

    public IReadOnlyList<EmulatedJob> Jobs { get; private init; } = [];

    /// <summary>No input made twice, and not one job more than inputs.</summary>
    public bool NonePaidTwice => DuplicateCreates == 0 && Creates == InputsCreated;

    public static ProviderTally Of(EmulatorServer server, HailuoProvider provider)
    {
        var name = CmdletPipeline.EmulatorName(provider);
        var stats = server.State.Stats.For(name);
        var jobs = server.State.Boards[name].Snapshot();
        return new ProviderTally
        {
            Provider = provider,
            Creates = stats.Creates,
            CreateRequests = stats.CreateRequests,
            DuplicateCreates = stats.DuplicateCreates,
            InputsCreated = jobs.Select(j => j.InputHash).Distinct(StringComparer.Ordinal).Count(),
            Requests = stats.Requests,
            Downloads = stats.Downloads,
            Lists = stats.Lists,
            FaultsByKind = new Dictionary<string, long>(stats.FaultsByKind),
            Jobs = jobs,
        };
    }

    /// <summary>The requirement row: 0 duplicate paid creates, by the emulator's count.</summary>
    public Figure DuplicatesFigure(string context) => Requirement.Of(
        "Duplicate paid creates (the emulator's count of repeated inputs)",
        $"{DuplicateCreates} (the emulator made {Creates:N0} jobs, one each for {InputsCreated:N0} rows, {context})",
        "0", "", "0",
        NonePaidTwice,
        $"{DuplicateCreates} repeated, {Creates - InputsCreated} jobs more than rows");
}
