namespace Hailuo.PowerShell.Tests.Hosting;

/// <summary>
/// A private home for one test: HAILUO_DATA_HOME and HAILUO_CONFIG_HOME point into it, so the ledger
/// and the saved connection are the test's own, and a work folder for the runspace's location.
/// Environment variables belong to the process, so every test that uses one is in
/// <see cref="RunspaceCollection"/>, whose tests run one at a time.
/// </summary>
public sealed class TestHome : IDisposable
{
    private static readonly string[] Variables = ["HAILUO_DATA_HOME", "HAILUO_CONFIG_HOME"];
    private readonly Dictionary<string, string?> _previous = new();

    public TestHome()
    {
        Path = Directory.CreateTempSubdirectory("hailuo-ps-test-").FullName;
        Work = Directory.CreateDirectory(System.IO.Path.Combine(Path, "work")).FullName;
        Data = Directory.CreateDirectory(System.IO.Path.Combine(Path, "data")).FullName;
        foreach (var name in Variables)
        {
            _previous[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, Data);
        }
    }

    public string Path { get; }

    /// <summary>The folder scripts run in.</summary>
    public string Work { get; }

    /// <summary>Where the ledger and the saved connection live.</summary>
    public string Data { get; }

    public string Ledger => System.IO.Path.Combine(Data, "ledger.jsonl");

    /// <summary>A path under the work folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Work, name);

    public void Dispose()
    {
        foreach (var (name, value) in _previous)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open leaves only a temp folder behind.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RunspaceCollection
{
    public const string Name = "Runspace";
}
