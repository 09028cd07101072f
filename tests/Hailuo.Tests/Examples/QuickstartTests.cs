using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Hailuo.Models;
using Hailuo.Validation;

namespace Hailuo.Tests.Examples;

/// <summary>
/// examples/prompts.csv and examples/quickstart.ps1, without PowerShell: the CSV has the traps the
/// quickstart is meant to show and every row passes the engine's own validation; the script keeps to
/// Windows PowerShell 5.1 syntax and agrees with the emulator on the line it waits for.
/// </summary>
public sealed class QuickstartTests
{
    private static string PromptsCsv => RepoPaths.Combine("examples", "prompts.csv");

    private static string Quickstart => File.ReadAllText(RepoPaths.Combine("examples", "quickstart.ps1"));

    private static string EmulatorModule => File.ReadAllText(RepoPaths.Combine("tools", "EmulatorProcess.psm1"));

    /// <summary>RFC 4180 as Import-Csv reads it: quoted cells may hold commas and doubled quotes.</summary>
    internal static List<string[]> ReadCsv(string path)
    {
        var rows = new List<string[]>();
        foreach (var line in File.ReadAllLines(path).Where(l => l.Length > 0))
        {
            var cells = new List<string>();
            var cell = new StringBuilder();
            var quoted = false;
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                    {
                        cell.Append('"');
                        i++;
                    }
                    else if (c == '"')
                    {
                        quoted = false;
                    }
                    else
                    {
                        cell.Append(c);
                    }
                }
                else if (c == '"')
                {
                    quoted = true;
                }
                else if (c == ',')
                {
                    cells.Add(cell.ToString());
                    cell.Clear();
                }
                else
                {
                    cell.Append(c);
                }
            }
            Assert.False(quoted, $"Unclosed quote in: {line}");
            cells.Add(cell.ToString());
            rows.Add(cells.ToArray());
        }
        return rows;
    }

    /// <summary>The cell rules New-HailuoVideo applies (design notes §3): empty is null; true/false/yes/no/1/0.</summary>
    private static bool? Flag(string cell) => cell.Trim().ToLowerInvariant() switch
    {
        "" => null,
        "true" or "yes" or "1" => true,
        "false" or "no" or "0" => false,
        _ => throw new FormatException($"'{cell}' is not a boolean New-HailuoVideo reads."),
    };

    [Fact]
    public void The_prompts_have_the_columns_and_the_traps_the_quickstart_shows()
    {
        var rows = ReadCsv(PromptsCsv);
        var header = rows[0];
        Assert.Equal(new[] { "prompt", "duration", "resolution", "prompt_optimizer" }, header.Take(4));
        Assert.True(header.Length >= 5, "Extra tag columns (scene, shot) show how unbound columns become tags.");
        var data = rows.Skip(1).ToList();
        Assert.InRange(data.Count, 6, 10);
        Assert.All(data, r => Assert.Equal(header.Length, r.Length));
        Assert.Contains(data, r => r[1] == "");
        Assert.Contains(data, r => r[3] == "False");
        Assert.Equal(data.Count, data.Select(r => r[0]).Distinct().Count());
    }

    [Fact]
    public void Every_prompt_row_is_valid_for_core_today()
    {
        foreach (var row in ReadCsv(PromptsCsv).Skip(1))
        {
            var request = new VideoRequest
            {
                Prompt = row[0],
                Duration = row[1].Length == 0 ? null : int.Parse(row[1], CultureInfo.InvariantCulture),
                Resolution = row[2].Length == 0 ? null : row[2],
                PromptOptimizer = Flag(row[3]),
            };
            Assert.Empty(RequestValidator.Validate(request, HailuoProvider.CoreToday));
        }
    }

    [Fact]
    public void The_script_runs_the_main_job_against_an_emulator_it_starts_and_always_stops()
    {
        var script = Quickstart;
        Assert.Contains("Import-Csv examples/prompts.csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path $OutputPath", script, StringComparison.Ordinal);
        Assert.Contains("[string] $OutputPath = './videos'", script, StringComparison.Ordinal);
        Assert.Contains("dotnet publish src/Hailuo.PowerShell -c Release", script, StringComparison.Ordinal);
        Assert.Contains("$emulator = Start-EmulatorProcess -RepoRoot $repoRoot -TimeScale $TimeScale", script, StringComparison.Ordinal);
        Assert.Contains("run --project `\"$project`\" -c Release$build -- --urls http://127.0.0.1:0 --time-scale $scale", EmulatorModule, StringComparison.Ordinal);
        Assert.Contains("Connect-Hailuo -Provider CoreToday -BaseUri \"$url/coretoday/v1\" -ApiKey (ConvertTo-SecureString 'emulator-key' -AsPlainText -Force) -NoPersist", script, StringComparison.Ordinal);
        Assert.Contains("$env:HAILUO_DATA_HOME", script, StringComparison.Ordinal);
        Assert.Contains("[switch] $KeepLedger", script, StringComparison.Ordinal);
        Assert.Matches(@"(?s)finally\s*\{.*Stop-EmulatorProcess -Emulator \$emulator", script);
    }

    [Fact]
    public void The_script_waits_for_the_line_the_emulator_prints()
    {
        var program = File.ReadAllText(RepoPaths.Combine("src", "Hailuo.Emulator", "Program.cs"));
        Assert.Contains("Console.WriteLine($\"Hailuo emulator listening on {server.BaseUrl}\");", program, StringComparison.Ordinal);
        Assert.Contains("'Hailuo emulator listening on (http://\\S+)'", EmulatorModule, StringComparison.Ordinal);
        // Both the quickstart and the Pester suite start it through the one shared module.
        Assert.Contains("'EmulatorProcess.psm1'", Quickstart, StringComparison.Ordinal);
        Assert.Contains("'EmulatorProcess.psm1'", File.ReadAllText(RepoPaths.Combine("tests", "Pester", "TestHelpers.psm1")), StringComparison.Ordinal);
    }

    public static TheoryData<string> WindowsPowerShellScripts => new()
    {
        "examples/quickstart.ps1",
        "tools/EmulatorProcess.psm1",
        "build.ps1",
    };

    [Theory]
    [MemberData(nameof(WindowsPowerShellScripts))]
    public void Scripts_for_Windows_PowerShell_avoid_PowerShell_7_only_syntax(string path)
    {
        var code = string.Join("\n", File.ReadAllLines(RepoPaths.Combine(path.Split('/')))
            .Select(l => l.TrimStart())
            .Where(l => !l.StartsWith('#')));
        // A string-aware check is PowerShell's own parser, which this machine lacks; these are the
        // PowerShell 7 operators and parameters that parse nowhere in 5.1.
        foreach (var pattern in new[] { @"\?\?", @"\?\.", @"\s&&\s", @"\s\|\|\s", @"-AsByteStream", @"-Parallel\b", @"\$IsWindows", @"\[System\.IO\.Path\]::Join" })
        {
            Assert.DoesNotMatch(new Regex(pattern, RegexOptions.Multiline), code);
        }
    }
}
