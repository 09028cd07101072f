// The seam between the ledger file and what is built from it: LedgerFile.cs reads records and hands them over
// here, and asks for the snapshots a compaction writes. LedgerIndex.cs is the one in use; tests put a recorder
// in its place to see exactly which records the file protocol delivers.
using System.Collections.Generic;

namespace Hailuo.Ledger;

/// <summary>The state a <see cref="LedgerFile"/> keeps in step with the file.</summary>
internal interface ILedgerState
{
    /// <summary>
    /// Entries that stand for a job or an intent: what a compacted file would hold, by which appends decide
    /// when to compact.
    /// </summary>
    int Jobs { get; }

    /// <summary>A record read from the file, in file order. Headers and moved markers are the file's own, never passed on.</summary>
    void Apply(LedgerRecord record);

    /// <summary>Forgets everything applied: the file is read again from its start.</summary>
    void Clear();

    /// <summary>One snapshot record per job, in the order first recorded: what a compaction writes.</summary>
    IEnumerable<LedgerRecord> Snapshots();
}
