namespace Hailuo.Pipeline;

/// <summary>A create the ledger holds with no known outcome: it may or may not have made (and charged for) a job.</summary>
public sealed class UnsettledCreate
{
    public UnsettledCreate(Ledger.LedgerEntry entry) => Entry = entry;

    public Ledger.LedgerEntry Entry { get; }
}
