using System.Globalization;
using System.Text.RegularExpressions;

namespace Hailuo.Bench.Benchmarks;

/// <summary>
/// Figure 5: what the PowerShell pipeline adds per row over the engine doing the same work. Needs
/// pwsh and the built module; without them it says so and measures only the engine's side.
/// </summary>
public sealed partial class PipelineBench : IBenchmark
{
    public const string Script = "bench/Hailuo.Bench/pipeline-per-row.ps1";

    public string Id => "pipeline";

    public string Title => "5. Per-row cost of the PowerShell pipeline";

    public async Task<Section> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        // Jobs of 0.12 s real, so that the rows' own cost is not lost under the generation time.
        var (rows, scale) = context.Quick ? (10, 0.001) : (500, 0.001);
        var section = new Section(Id, Title);
        await using var server = await Lab.StartEmulatorAsync(scale, o => o.Concurrency[Lab.ProviderName] = 1000);
        var folder = Lab.Folder(context, "pipeline");
        BatchOutcome engine;
        using (var client = new HailuoClient(Lab.ClientOptions(server.BaseUri, scale, Path.Combine(folder, "ledger.jsonl"))))
        {
            engine = await CmdletBatch.RunAsync(client, "pipeline", rows, folder, cancellationToken);
        }
        var engineMs = engine.Wall.TotalMilliseconds / rows;
        var name = $"Per-row cost of Import-Csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo ({rows} rows)";
        var pwsh = FindOnPath("pwsh");
        var module = Path.Combine(BenchContext.RepositoryRoot(), "module", "Hailuo.PowerShell.dll");
        if (pwsh is null || !File.Exists(module))
        {
            section.Add(new Figure(name,
                "not measured here: needs PowerShell" + (pwsh is null ? " (pwsh is not on this machine)" : " (run ./build.ps1 first)"),
                $"engine alone, same rows and emulator: {engineMs:0.00} ms a row (wall)",
                "", "(reported)", null));
            section.Note($"Elsewhere, with PowerShell 7: `./build.ps1`, then {section.Command}. It runs {Script} against the emulator it starts " +
                "and reports the pipeline's wall time and pwsh's CPU per row beside the engine's own.");
            return section;
        }

        var pipelineFolder = Lab.Folder(context, "pwsh");
        var (exit, output, error, _) = await Lab.RunProcessAsync(pwsh,
            ["-NoLogo", "-NoProfile", "-NonInteractive", "-File", Path.Combine(BenchContext.RepositoryRoot(), Script),
             "-EmulatorUrl", server.BaseUrl, "-Rows", rows.ToString(CultureInfo.InvariantCulture), "-Folder", pipelineFolder],
            cancellationToken);
        var result = ResultLine().Match(output);
        if (exit != 0 || !result.Success)
        {
            throw new InvalidOperationException($"{Script} failed ({exit}): {error}{output}");
        }
        var saved = int.Parse(result.Groups[1].Value, CultureInfo.InvariantCulture);
        var seconds = double.Parse(result.Groups[2].Value, CultureInfo.InvariantCulture);
        var cpu = double.Parse(result.Groups[3].Value, CultureInfo.InvariantCulture);
        if (saved != rows)
        {
            throw new InvalidOperationException($"The pipeline saved {saved} of {rows} videos: {error}");
        }
        var pipelineMs = seconds * 1000 / rows;
        section.Add(new Figure(name,
            $"{pipelineMs:0.00} ms a row (wall); pwsh CPU {cpu * 1000 / rows:0.00} ms a row",
            $"engine alone: {engineMs:0.00} ms a row",
            $"+{pipelineMs - engineMs:0.00} ms a row",
            "(reported)", null));
        return section;
    }

    private static string? FindOnPath(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in new[] { program, program + ".exe" })
            {
                var path = Path.Combine(dir, name);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }
        return null;
    }

    [GeneratedRegex(@"PIPELINE-RESULT rows=(\d+) seconds=([0-9.Ee+-]+) cpu=([0-9.Ee+-]+)")]
    private static partial Regex ResultLine();
}
