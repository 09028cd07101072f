using Hailuo.Emulator.Core;
using Hailuo.Models;

namespace Hailuo.Reliability;

/// <summary>The three kinds of hostile input the issue names.</summary>
public enum HostileGroup
{
    /// <summary>A CSV row: missing or extra columns, oversize, unicode, control characters, formulas.</summary>
    CsvRow,
    /// <summary>A first-frame image: bad paths, wrong types, truncated or oversize files.</summary>
    Image,
    /// <summary>A server's answer: ids and file names with paths, lying lengths, wrong types, bad JSON, redirects.</summary>
    ServerAnswer,
}

/// <summary>What must become of the hostile row.</summary>
public enum HostileExpectation
{
    /// <summary>An error about the row that says what is wrong, and no video.</summary>
    Refused,
    /// <summary>No error: the video is saved, whole, under a safe name directly inside the output folder.</summary>
    Saved,
}

/// <summary>
/// One hostile input and what must become of it. The row runs through New-HailuoVideo -Wait's command logic against
/// the emulator (Replicate), alone or between two good rows; <see cref="HostileRunner"/> checks the requirements.
/// </summary>
public sealed class HostileCase
{
    public required string Name { get; init; }

    public required HostileGroup Group { get; init; }

    /// <summary>What the case is, in a few words, for the report and failure messages.</summary>
    public required string What { get; init; }

    public HostileExpectation Expect { get; init; } = HostileExpectation.Refused;

    /// <summary>Words the error must contain (any case): what is wrong and what to change.</summary>
    public IReadOnlyList<string> Mentions { get; init; } = [];

    /// <summary>The error's kind, when it matters (Validation for anything refused before sending).</summary>
    public HailuoErrorKind? Kind { get; init; }

    /// <summary>For <see cref="HostileExpectation.Saved"/>: the file's name; <c>{id}</c> stands for the job's id.</summary>
    public string? SavedAs { get; init; }

    /// <summary>Paid creates the hostile row may make: 0 for anything refused before sending, 1 for a server's answer to a create.</summary>
    public int PaidCreates { get; init; }

    /// <summary>Run the row between two good rows, which must complete.</summary>
    public bool Batch { get; init; }

    /// <summary>The -FileNameTemplate; null for the default.</summary>
    public string? Template { get; init; }

    /// <summary>
    /// Builds the hostile row's cells in the case's folder (images are written there); the marker is in a server case's prompt.
    /// </summary>
    public required Func<CaseFolder, IReadOnlyDictionary<string, string?>> Cells { get; init; }

    /// <summary>A row run to completion first, as an earlier run of another CSV would have been.</summary>
    public IReadOnlyDictionary<string, string?>? Earlier { get; init; }

    /// <summary>What the server answers instead of its own (server cases); <c>{root}</c> is the case's folder.</summary>
    public IReadOnlyList<HostileAnswer> Answers { get; init; } = [];

    public override string ToString() => Name;
}

/// <summary>Where a case runs: its own folder, holding the output folder, the ledger and any input files.</summary>
public sealed class CaseFolder
{
    public CaseFolder(string root)
    {
        Root = root;
        Directory.CreateDirectory(Input);
    }

    /// <summary>The parent of the output folder: nothing but the ledger may appear here.</summary>
    public string Root { get; }

    public string Output => Path.Combine(Root, "out");

    public string Input => Path.Combine(Root, "input");

    public string Ledger => Path.Combine(Root, "ledger.jsonl");

    /// <summary>Writes an input file and returns its full path.</summary>
    public string Write(string name, byte[] content)
    {
        var path = Path.Combine(Input, name);
        File.WriteAllBytes(path, content);
        return path;
    }
}

/// <summary>What one case did, measured; <see cref="Violations"/> lists every requirement it missed.</summary>
public sealed class HostileOutcome
{
    public required HostileCase Case { get; init; }

    /// <summary>The first error written about the hostile row, if any.</summary>
    public string? Error { get; init; }

    public bool ClearError { get; init; }

    /// <summary>Paid creates of the hostile row over its run and a re-run of it.</summary>
    public int PaidCreates { get; init; }

    /// <summary>Creates the hostile row sent at all (paid or not).</summary>
    public long CreatesSent { get; init; }

    public IReadOnlyList<string> FilesOutside { get; init; } = [];

    /// <summary>Null when the case ran alone.</summary>
    public bool? BatchWentOn { get; init; }

    public List<string> Violations { get; } = [];

    public bool Met => Violations.Count == 0;

    public override string ToString() =>
        $"{Case.Name} ({Case.What}): {(Met ? "met" : string.Join("; ", Violations))}" + (Error is null ? "" : $" [error: {Error}]");
}
