using System.Text;
using Hailuo.Ledger;
using Hailuo.Models;

namespace Hailuo.Tests.Engine.Ledger;

/// <summary>
/// The file protocol on its own (LedgerFile.cs): which records it hands to the state, in what order, and what it
/// leaves on disk. A recorder stands in for the index, so each test sees exactly what the file delivered.
/// </summary>
public sealed class LedgerFileTests : IDisposable
{
    private const string Header = """{"type":"header","at":"2026-01-01T00:00:00+00:00","gen":"g1"}""";
    private const string First = """{"type":"intent","key":"k1","at":"2026-01-01T00:00:01+00:00","provider":"Replicate","account":"a","input":"h1"}""";
    private const string Second = """{"type":"submitted","key":"k1","at":"2026-01-01T00:00:02+00:00","provider":"Replicate","id":"j1"}""";
    private const string Torn = """{"type":"status","at":"2026-01-01T00:00:03+00:00","provider":"Replicate","id":"j1","sta""";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_torn_last_line_is_not_delivered_and_the_next_append_starts_on_a_line_of_its_own()
    {
        File.WriteAllText(_folder.Ledger, Header + "\n" + First + "\n" + Second + "\n" + Torn);
        var state = new RecordingState();
        using var file = new LedgerFile(_folder.Ledger, state);

        file.Refresh();

        Assert.Equal(new[] { "intent k1", "submitted k1" }, state.Events);
        Assert.Equal(3, file.Lines); // the header counts; the unfinished line does not yet

        file.Append(() => new LedgerRecord { Type = LedgerRecord.Status, Provider = HailuoProvider.Replicate, JobId = "j1", JobStatus = JobStatus.Running }, durable: false);

        Assert.Equal(new[] { "intent k1", "submitted k1", "status j1" }, state.Events);
        var lines = File.ReadAllLines(_folder.Ledger);
        Assert.Equal(new[] { Header, First, Second, Torn }, lines.Take(4));
        Assert.StartsWith("""{"type":"status","at":""", lines[4]);
        Assert.Equal(5, lines.Length);

        // A new reader skips the torn line, now ended, and reads what came after it.
        var again = new RecordingState();
        using var reread = new LedgerFile(_folder.Ledger, again);
        reread.Refresh();
        Assert.Equal(new[] { "intent k1", "submitted k1", "status j1" }, again.Events);
        Assert.Equal(5, reread.Lines);
    }

    [Fact]
    public void Blank_lines_crlf_endings_and_lines_that_are_not_records_are_skipped_but_counted()
    {
        File.WriteAllText(_folder.Ledger, First + "\r\n" + "\n" + "\r\n" + "not json\n" + """{"type":"wibble","at":"2026-01-01T00:00:00+00:00"}""" + "\n" + Second + "\n");
        var state = new RecordingState();
        using var file = new LedgerFile(_folder.Ledger, state);

        file.Refresh();

        Assert.Equal(new[] { "intent k1", "submitted k1" }, state.Events);
        Assert.Equal(6, file.Lines);
    }

    [Fact]
    public void A_build_that_returns_null_writes_nothing()
    {
        File.WriteAllText(_folder.Ledger, First + "\n");
        var before = File.ReadAllBytes(_folder.Ledger);
        var state = new RecordingState();
        using var file = new LedgerFile(_folder.Ledger, state);

        var built = false;
        file.Append(() =>
        {
            built = true;
            return null;
        }, durable: true);

        Assert.True(built);
        Assert.Equal(before, File.ReadAllBytes(_folder.Ledger));
        Assert.Equal(new[] { "intent k1" }, state.Events); // caught up before building, as a decision needs
    }

    [Fact]
    public void Compaction_writes_a_header_and_the_state_s_snapshots_and_applies_nothing_again()
    {
        File.WriteAllText(_folder.Ledger, Header + "\n" + First + "\n" + Second + "\n");
        var state = new RecordingState
        {
            Snapshot =
            {
                new LedgerRecord { Type = LedgerRecord.Snapshot, Key = "k1", At = DateTimeOffset.UnixEpoch, Provider = HailuoProvider.Replicate, State = LedgerState.Submitted, JobId = "j1" },
            },
        };
        using var file = new LedgerFile(_folder.Ledger, state);
        file.Refresh();

        file.Compact();

        var lines = File.ReadAllLines(_folder.Ledger);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("""{"type":"header","at":""", lines[0]);
        Assert.Equal("""{"type":"snapshot","key":"k1","at":"1970-01-01T00:00:00+00:00","provider":"Replicate","id":"j1","state":"Submitted"}""", lines[1]);
        Assert.Equal(2, file.Lines);
        file.Refresh();
        Assert.Equal(new[] { "intent k1", "submitted k1" }, state.Events); // the state already is what was written
        Assert.Empty(Directory.GetFiles(_folder.Path, "*.tmp"));
    }

    [Fact]
    public void A_reader_on_a_file_another_instance_compacted_starts_over_from_the_new_file()
    {
        File.WriteAllText(_folder.Ledger, Header + "\n" + First + "\n" + Second + "\n");
        var compactor = new RecordingState
        {
            Snapshot =
            {
                new LedgerRecord { Type = LedgerRecord.Snapshot, Key = "k1", At = DateTimeOffset.UnixEpoch, Provider = HailuoProvider.Replicate, State = LedgerState.Submitted, JobId = "j1" },
            },
        };
        var reader = new RecordingState();
        using var compacting = new LedgerFile(_folder.Ledger, compactor);
        using var reading = new LedgerFile(_folder.Ledger, reader);
        compacting.Refresh();
        reading.Refresh();

        compacting.Compact();
        reading.Refresh();

        // The moved marker on the old file sends the reader to the path, where it reads the snapshot.
        Assert.Equal(new[] { "intent k1", "submitted k1", "clear", "snapshot k1" }, reader.Events);
        Assert.Equal(2, reading.Lines);
    }

    /// <summary>Logs what the file hands over ("type key-or-id", "clear"); gives back the snapshots it is told to.</summary>
    private sealed class RecordingState : ILedgerState
    {
        public List<string> Events { get; } = new();

        public List<LedgerRecord> Snapshot { get; } = new();

        public int Jobs => Snapshot.Count;

        public void Apply(LedgerRecord record) => Events.Add(record.Type + " " + (record.Key ?? record.JobId));

        public void Clear() => Events.Add("clear");

        public IEnumerable<LedgerRecord> Snapshots() => Snapshot;
    }
}
