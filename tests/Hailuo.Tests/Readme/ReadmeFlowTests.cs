using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Hailuo.Emulator;
using Hailuo.Tests.Emulator;

namespace Hailuo.Tests.Readme;

/// <summary>
/// The README's curl flows, run exactly as written against an emulator of their own (only the
/// EMU= line's port differs), so the documentation cannot drift from the emulator.
/// </summary>
public sealed partial class ReadmeFlowTests
{
    [Fact]
    public async Task The_curl_flows_in_the_README_work_as_written()
    {
        foreach (var tool in new[] { "bash", "curl", "jq" })
        {
            Assert.True(OnPath(tool), $"The README's flows need '{tool}' on the PATH (apt-get install {tool}).");
        }
        var script = ExtractFlows(await File.ReadAllTextAsync(RepoPaths.Combine("README.md")));
        Assert.Contains("EMU=http://127.0.0.1:5080", script);

        // 30-90 s jobs in 1.5-4.5 s: quick to poll with the flows' `sleep 1`, and slow enough that the create-then-cancel
        // steps reach a running job even when a loaded machine takes a second to start curl and jq.
        await using var emu = await EmulatorHarness.StartAsync(o => o.TimeScale = 0.05);
        script = script.Replace("EMU=http://127.0.0.1:5080", $"EMU={emu.BaseUrl}", StringComparison.Ordinal);

        var work = Directory.CreateTempSubdirectory("hailuo-readme-");
        try
        {
            Directory.CreateDirectory(Path.Combine(work.FullName, "examples"));
            File.Copy(RepoPaths.Combine("examples", "first-frame.png"), Path.Combine(work.FullName, "examples", "first-frame.png"));
            var (exit, output) = await RunBashAsync(script, work.FullName, TimeSpan.FromMinutes(2));

            Assert.True(exit == 0, $"The README flows failed with exit code {exit}:\n{output}");
            Assert.Contains("cancelled", output);
            Assert.Contains("canceled", output);
            Assert.Contains("206", output);
            EmulatorHarness.AssertVideo(await File.ReadAllBytesAsync(Path.Combine(work.FullName, "coretoday.mp4")), 1366, 768);
            EmulatorHarness.AssertVideo(await File.ReadAllBytesAsync(Path.Combine(work.FullName, "minimax.mp4")), 1920, 1080);
            EmulatorHarness.AssertVideo(await File.ReadAllBytesAsync(Path.Combine(work.FullName, "replicate.mp4")), 1366, 768);
            EmulatorHarness.AssertVideo(await File.ReadAllBytesAsync(Path.Combine(work.FullName, "cloudflare.mp4")), 1366, 768);
            EmulatorHarness.AssertVideo(await File.ReadAllBytesAsync(Path.Combine(work.FullName, "cloudflare-batch.mp4")), 1920, 1080);
            Assert.Equal(1024, new FileInfo(Path.Combine(work.FullName, "first-kilobyte.bin")).Length);

            // The last command resets the counters, so the stats now read zero everywhere.
            Assert.Equal(0, EmulatorHarness.Count(await emu.StatsAsync(ProviderNames.CoreToday), "creates"));
            Assert.Equal(3, emu.Server.State.Boards[ProviderNames.CoreToday].Count);
            Assert.Equal(2, emu.Server.State.Boards[ProviderNames.Replicate].Count);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The bash blocks between the readme-flows markers, in order.</summary>
    public static string ExtractFlows(string readme)
    {
        var start = readme.IndexOf("<!-- readme-flows:start -->", StringComparison.Ordinal);
        var end = readme.IndexOf("<!-- readme-flows:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README.md lost its readme-flows markers.");
        var section = readme[start..end];
        var script = new StringBuilder("set -euo pipefail\n");
        foreach (Match block in BashBlock().Matches(section))
        {
            script.Append(block.Groups[1].Value).Append('\n');
        }
        return script.ToString();
    }

    [GeneratedRegex(@"```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));

    private static async Task<(int Exit, string Output)> RunBashAsync(string script, string workingDirectory, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"Timed out after {timeout}.\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout + "\n" + await stderr);
    }
}
