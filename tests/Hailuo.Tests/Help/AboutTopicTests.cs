using System.Text.RegularExpressions;
using Hailuo.Credentials;
using Hailuo.Downloads;
using Hailuo.Providers;

namespace Hailuo.Tests.Help;

/// <summary>
/// about_Hailuo: the standard about-topic layout, every section the module needs explained, a real
/// TROUBLESHOOTING section, and facts checked against the engine (variables, tokens) so it cannot drift.
/// What it says of the cmdlets (their names, the CSV columns) is checked against them in a real runspace,
/// in tests/Hailuo.PowerShell.Tests/Help/AboutHailuoTests.cs.
/// </summary>
public sealed class AboutTopicTests
{
    private static readonly string[] Sections =
    {
        "TOPIC", "SHORT DESCRIPTION", "LONG DESCRIPTION", "PROVIDERS", "CREDENTIALS", "THE CSV PIPELINE",
        "THE LEDGER AND NEVER PAYING TWICE", "WHATIF AND MAXCREDITS", "THE EMULATOR", "FILE NAME TEMPLATES",
        "TROUBLESHOOTING", "SEE ALSO",
    };

    private static readonly Lazy<string[]> Lines = new(() =>
        File.ReadAllText(RepoPaths.Combine("module", "en-US", "about_Hailuo.help.txt")).ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));

    private static string Text => string.Join("\n", Lines.Value);

    /// <summary>A section's heading is an upper-case line at column 0; its body runs to the next one.</summary>
    private static Dictionary<string, string> SectionBodies()
    {
        var bodies = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        foreach (var line in Lines.Value)
        {
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
            {
                current = line.Trim();
                Assert.False(bodies.ContainsKey(current), $"The section {current} appears twice.");
                bodies[current] = "";
            }
            else if (current is not null)
            {
                bodies[current] += line + "\n";
            }
        }
        return bodies;
    }

    [Fact]
    public void It_has_the_standard_layout_with_every_section_in_order()
    {
        Assert.Equal("TOPIC", Lines.Value[0]);
        Assert.Equal("    about_Hailuo", Lines.Value[1]);
        Assert.Equal(Sections, SectionBodies().Keys);
        Assert.All(SectionBodies(), s => Assert.False(string.IsNullOrWhiteSpace(s.Value), $"{s.Key} is empty."));
    }

    [Fact]
    public void Lines_fit_an_80_column_console()
    {
        Assert.All(Lines.Value.Select((l, i) => (l, i)), x => Assert.True(x.l.Length <= 80, $"Line {x.i + 1} is {x.l.Length} characters."));
        Assert.DoesNotContain('\t', Text);
    }

    [Fact]
    public void Troubleshooting_has_at_least_eight_symptoms_each_with_a_cause_and_a_fix()
    {
        var body = SectionBodies()["TROUBLESHOOTING"];
        var entries = Regex.Split(body, @"(?m)^    (?=Symptom:)").Where(e => e.StartsWith("Symptom:", StringComparison.Ordinal)).ToList();
        Assert.True(entries.Count >= 8, $"TROUBLESHOOTING has {entries.Count} entries; it needs at least 8.");
        Assert.All(entries, e =>
        {
            var cause = e.IndexOf("\n    Cause:", StringComparison.Ordinal);
            var fix = e.IndexOf("\n    Fix:", StringComparison.Ordinal);
            Assert.True(cause > 0 && fix > cause, $"Each entry reads Symptom:, Cause:, Fix: in that order:\n{e}");
        });
    }

    [Theory]
    [InlineData("\"False\"")]
    [InlineData("outcome unknown")]
    [InlineData("429")]
    [InlineData("expire")]
    [InlineData("Install-Module Microsoft.PowerShell.SecretManagement")]
    [InlineData("CLOUDFLARE_ACCOUNT_ID")]
    [InlineData("MiniMax's API has no cancel call")]
    [InlineData("skipped")]
    [InlineData("Duration is 0 seconds")]
    public void Troubleshooting_covers_the_known_traps(string phrase)
    {
        // Phrases may wrap across lines.
        Assert.Contains(phrase, Regex.Replace(SectionBodies()["TROUBLESHOOTING"], @"\s+", " "), StringComparison.Ordinal);
    }

    [Fact]
    public void It_names_every_environment_variable_the_engine_reads()
    {
        var variables = ProviderProfiles.All.Select(profile => profile.CredentialVariable)
            .Append(EnvironmentCredentialSource.Generic)
            .Append(EnvironmentCredentialSource.CloudflareAccountVariable)
            .Append("HAILUO_DATA_HOME");
        var credentials = SectionBodies()["CREDENTIALS"];
        Assert.All(variables, v => Assert.Contains(v, Text, StringComparison.Ordinal));
        Assert.All(ProviderProfiles.All.Select(profile => profile.CredentialVariable), v => Assert.Contains(v, credentials, StringComparison.Ordinal));
    }

    [Fact]
    public void It_lists_every_file_name_token_and_the_default_template()
    {
        var templates = SectionBodies()["FILE NAME TEMPLATES"];
        Assert.All(FileNameTemplate.Tokens, t => Assert.Contains("{" + t, templates, StringComparison.Ordinal));
        Assert.Contains(FileNameTemplate.Default, templates, StringComparison.Ordinal);
        Assert.Contains(FileNameTemplate.MaxFileNameLength.ToString(System.Globalization.CultureInfo.InvariantCulture), templates, StringComparison.Ordinal);
    }

    [Fact]
    public void It_states_the_price_and_the_ledger_locations()
    {
        Assert.Contains("420 credits", Text, StringComparison.Ordinal);
        var ledger = SectionBodies()["THE LEDGER AND NEVER PAYING TWICE"];
        Assert.Contains("ledger.jsonl", ledger, StringComparison.Ordinal);
        Assert.Contains("-Force", ledger, StringComparison.Ordinal);
        Assert.Contains("outcome unknown", ledger, StringComparison.Ordinal);
    }
}
