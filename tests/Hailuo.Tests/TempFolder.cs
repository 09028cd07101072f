namespace Hailuo.Tests;

/// <summary>A private folder under the temp path for one test (or one test class), deleted with everything in it.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("hailuo-test-").FullName;

    /// <summary>The ledger file the engine tests keep here.</summary>
    public string Ledger => File("ledger.jsonl");

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Every file in the folder by name, hidden temp files included.</summary>
    public string[] Files() => Directory.GetFiles(Path).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    public string Write(string name, byte[] content)
    {
        var file = File(name);
        System.IO.File.WriteAllBytes(file, content);
        return file;
    }

    /// <summary>A file of exactly <paramref name="length"/> bytes that starts with <paramref name="head"/>; the rest is sparse zeros.</summary>
    public string WriteSized(string name, byte[] head, long length)
    {
        var file = File(name);
        using var stream = System.IO.File.Create(file);
        stream.Write(head);
        stream.SetLength(length);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open elsewhere leaves only a temp folder behind.
        }
    }
}
