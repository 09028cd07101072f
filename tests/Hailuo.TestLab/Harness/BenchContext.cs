using System.Diagnostics;

namespace Hailuo.TestLab;

/// <summary>A benchmark: measures, and returns its rows of the table.</summary>
public interface IBenchmark
{
    /// <summary>The name <c>--only</c> takes.</summary>
    string Id { get; }

    string Title { get; }

    Task<Section> RunAsync(BenchContext context, CancellationToken cancellationToken);
}

/// <summary>The run's settings and scratch folder, removed at the end.</summary>
public sealed class BenchContext : IDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public BenchContext(bool quick)
    {
        Quick = quick;
        Folder = Directory.CreateTempSubdirectory("hailuo-bench-").FullName;
    }

    /// <summary>Smoke sizes: every code path runs, in seconds, and no figure means anything.</summary>
    public bool Quick { get; }

    public string Folder { get; }

    public void Log(string line) => Console.Error.WriteLine($"[{_clock.Elapsed.TotalSeconds,7:0.0}s] {line}");

    /// <summary>The repository root: the folder holding Hailuo.sln, above the working folder or the binary.</summary>
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Hailuo.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new DirectoryNotFoundException("Run the benchmarks from inside the repository (no Hailuo.sln above here), or give --out.");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
