using System.Diagnostics;
using Hailuo.Credentials;
using Hailuo.Emulator;
using Hailuo.Emulator.Core;
using Hailuo.Models;

namespace Hailuo.TestLab;

/// <summary>
/// What every benchmark shares: an emulator on a free loopback port, a Replicate client pointed at it,
/// and the emulator's own record of what happened. Replicate throughout, because its published limits
/// (600 creates and 3000 reads a minute) make the bounds meaningful and its statuses carry
/// started_at and completed_at.
/// </summary>
public static class Lab
{
    public const HailuoProvider Provider = HailuoProvider.Replicate;
    public const string ProviderName = ProviderNames.Replicate;
    public const string Key = "bench-key-not-a-secret";

    /// <summary>
    /// The generation time of every 768p, 6 s job (±10 %) unless <see cref="StartEmulatorAsync"/>'s caller sets its own: the
    /// scale figure and the reliability suite plan their batches around it. Figures 1 and 2 set distributions instead.
    /// </summary>
    public const double MeanGenerationSeconds = 120;

    public static Task<EmulatorServer> StartEmulatorAsync(double timeScale, Action<EmulatorOptions>? configure = null) =>
        EmulatorServer.StartLocalAsync(o =>
        {
            o.TimeScale = timeScale;
            o.GenerationSeconds["768p-6s"] = MeanGenerationSeconds;
            // Links and outputs live for a real hour: a download's real time does not shrink with the clock,
            // so at 0.0005 a queue of downloads would outlive Replicate's emulated hour of retention.
            o.UrlTtlSeconds = Math.Max(o.UrlTtlSeconds, 3600 / timeScale);
            o.ReplicateRetentionSeconds = Math.Max(o.ReplicateRetentionSeconds, 3600 / timeScale);
            configure?.Invoke(o);
        });

    /// <summary>A client as Connect-Hailuo would make it for the emulator, with its own ledger: it learns the emulator's pace from its answers.</summary>
    public static HailuoClientOptions ClientOptions(Uri emulator, string ledgerPath)
    {
        var options = new HailuoClientOptions(Provider)
        {
            BaseUri = EmulatorServer.ApiRoot(emulator, ProviderNames.Replicate), // Provider's
            Credentials = new StaticCredentialSource(new HailuoCredential(Key, "benchmark")),
            LedgerPath = ledgerPath,
        };
        return options;
    }

    /// <summary>A distinct input per row and run, so that no run reuses another's paid jobs.</summary>
    public static VideoRequest Request(string run, int row) => new()
    {
        Prompt = $"{run} row {row}: a lighthouse in a storm, waves crashing",
        Resolution = VideoRequest.Resolution768,
        Duration = VideoRequest.DefaultDuration,
    };

    public static ProviderStats Stats(EmulatorServer server) => server.State.Stats.For(ProviderName);

    public static List<EmulatedJob> Jobs(EmulatorServer server) => server.State.Boards[ProviderName].Snapshot();

    /// <summary>Nearest-rank percentile; 0 for no values.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.OrderBy(v => v).ToList();
        if (sorted.Count == 0)
        {
            return 0;
        }
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    public static string Folder(BenchContext context, string name)
    {
        var path = Path.Combine(context.Folder, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Starts a program with its output and error redirected, for the caller to read (or the pipes fill and it stalls).</summary>
    public static Process StartProcess(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
    }

    /// <summary>Runs a program to completion and returns its exit code and output; cancelling kills it and everything it started.</summary>
    public static async Task<(int ExitCode, string Output, string Error, TimeSpan Elapsed)> RunProcessAsync(
        string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var clock = Stopwatch.StartNew();
        using var process = StartProcess(fileName, arguments, environment);
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        clock.Stop();
        return (process.ExitCode, await output, await error, clock.Elapsed);
    }

    public static string Mb(long bytes) => $"{bytes / 1048576.0:0.#} MB";
}
