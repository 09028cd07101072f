using System.Text.RegularExpressions;

namespace Hailuo.Tests.Examples;

/// <summary>
/// The Pester suite cannot run where PowerShell is missing, so its shape is checked here: Pester 5
/// structure only, each file with its own ledger and its emulator stopped, every helper exported, and
/// every behaviour the suite is meant to cover present.
/// </summary>
public sealed partial class PesterSuiteTests
{
    private static string Folder => RepoPaths.Combine("tests", "Pester");

    public static TheoryData<string> TestFiles => new(Directory.GetFiles(Folder, "*.Tests.ps1").Select(Path.GetFileName).OfType<string>());

    private static string Read(string file) => File.ReadAllText(Path.Combine(Folder, file)).ReplaceLineEndings("\n");

    [GeneratedRegex(@"\bShould\s+(?!-)(Be|BeExactly|Match|Throw|Contain|Exist|BeNullOrEmpty|BeTrue|BeFalse|BeOfType|BeIn)\b")]
    private static partial Regex Pester4Should();

    [GeneratedRegex(@"^function\s+([A-Za-z]+-[A-Za-z0-9]+)", RegexOptions.Multiline)]
    private static partial Regex FunctionDefinition();

    [Fact]
    public void The_suite_has_a_file_for_each_area()
    {
        var files = Directory.GetFiles(Folder, "*.Tests.ps1").Select(Path.GetFileName).ToHashSet();
        foreach (var expected in new[] { "Module.Tests.ps1", "Pipeline.Tests.ps1", "Ledger.Tests.ps1", "Stop.Tests.ps1", "SecretManagement.Tests.ps1", "Help.Tests.ps1", "Commands.Tests.ps1" })
        {
            Assert.Contains(expected, files);
        }
        Assert.True(File.Exists(Path.Combine(Folder, "TestHelpers.psm1")));
    }

    [Theory]
    [MemberData(nameof(TestFiles))]
    public void Files_use_Pester_5_blocks_only(string file)
    {
        var text = Read(file);
        Assert.DoesNotMatch(Pester4Should(), text);
        Assert.DoesNotContain("Assert-MockCalled", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Assert-VerifiableMock", text, StringComparison.Ordinal);
        // Pester 5 runs only code inside blocks; anything else at the top level runs at discovery.
        foreach (var line in text.Split('\n').Where(l => l.Length > 0 && !char.IsWhiteSpace(l[0])))
        {
            Assert.Matches(@"^(#|BeforeDiscovery \{|BeforeAll \{|AfterAll \{|Describe '|\})", line);
        }
    }

    [Theory]
    [MemberData(nameof(TestFiles))]
    public void Files_that_start_an_emulator_stop_it_and_keep_a_ledger_of_their_own(string file)
    {
        var text = Read(file);
        if (text.Contains("Start-TestEmulator", StringComparison.Ordinal))
        {
            Assert.Contains("Stop-TestEmulator", text, StringComparison.Ordinal);
            Assert.Contains("AfterAll", text, StringComparison.Ordinal);
        }
        if (file != "Module.Tests.ps1")
        {
            Assert.Contains("Enter-TestDataHome", text, StringComparison.Ordinal);
            Assert.Contains("Exit-TestDataHome", text, StringComparison.Ordinal);
            Assert.Contains("Import-HailuoTestModule", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_helper_is_exported_and_every_export_exists()
    {
        var helpers = File.ReadAllText(Path.Combine(Folder, "TestHelpers.psm1"));
        var defined = FunctionDefinition().Matches(helpers).Select(m => m.Groups[1].Value).ToHashSet();
        var export = helpers[helpers.IndexOf("Export-ModuleMember", StringComparison.Ordinal)..];
        var exported = Regex.Matches(export, @"'([A-Za-z]+-[A-Za-z0-9]+)'").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(defined.OrderBy(n => n), exported.OrderBy(n => n));
        var used = Directory.GetFiles(Folder, "*.Tests.ps1").SelectMany(f => Regex.Matches(File.ReadAllText(f), @"\b(\w+-(?:Test|Emulator|Hailuo)\w*)\b").Select(m => m.Groups[1].Value));
        var cmdlets = Help.CmdletContract.Cmdlets.Keys.ToHashSet();
        foreach (var name in used.Distinct())
        {
            Assert.True(defined.Contains(name) || cmdlets.Contains(name) || name is "Invoke-HailuoPester",
                $"{name} is used by the suite but is neither a helper nor a cmdlet.");
        }
    }

    [Theory]
    [InlineData("Pipeline.Tests.ps1", "Test-Mp4Header")]
    [InlineData("Pipeline.Tests.ps1", "-WhatIf")]
    [InlineData("Pipeline.Tests.ps1", "Should -Match '\\b420\\b'")]
    [InlineData("Pipeline.Tests.ps1", ",,768p,True,sea")]
    [InlineData("Pipeline.Tests.ps1", ",6,768p,False,hills")]
    [InlineData("Pipeline.Tests.ps1", "-ErrorVariable rowErrors")]
    [InlineData("Stop.Tests.ps1", "Start-TestEmulator -TimeScale 1")]
    [InlineData("Stop.Tests.ps1", "Stop-HailuoJob -PassThru")]
    [InlineData("Ledger.Tests.ps1", "Reused | Should -BeTrue")]
    [InlineData("Ledger.Tests.ps1", "New-HailuoVideo -Force")]
    [InlineData("SecretManagement.Tests.ps1", "Register-SecretVault -Name $VaultName -ModuleName Microsoft.PowerShell.SecretStore")]
    [InlineData("SecretManagement.Tests.ps1", "Reset-SecretStore -Authentication None -Interaction None -Force -Confirm:$false")]
    [InlineData("SecretManagement.Tests.ps1", "Unregister-SecretVault")]
    [InlineData("SecretManagement.Tests.ps1", "-ExpectedMessage '*Install-Module Microsoft.PowerShell.SecretManagement*'")]
    [InlineData("Help.Tests.ps1", "Get-Help -Name about_Hailuo")]
    [InlineData("Commands.Tests.ps1", "TabExpansion2")]
    [InlineData("Commands.Tests.ps1", "Test-ModuleManifest")]
    public void The_suite_covers(string file, string evidence)
    {
        Assert.Contains(evidence, Read(file), StringComparison.Ordinal);
    }

    [Fact]
    public void The_runner_reports_counts_for_every_file()
    {
        var runner = Read("Invoke-HailuoPester.ps1");
        Assert.Contains("$config.Run.Path = $PSScriptRoot", runner, StringComparison.Ordinal);
        Assert.Contains("Write-Host \"PESTER-COUNTS $($result.PassedCount) $failed\"", runner, StringComparison.Ordinal);
        Assert.Contains("FailedContainersCount", runner, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestFiles))]
    public void Skip_conditions_come_from_discovery(string file)
    {
        var text = Read(file);
        foreach (Match skip in Regex.Matches(text, @"-Skip:\(?(?:-not\s+)?\$(\w+)"))
        {
            var variable = skip.Groups[1].Value;
            var discovery = text[..text.IndexOf("BeforeAll {", StringComparison.Ordinal)];
            Assert.Contains("BeforeDiscovery", discovery, StringComparison.Ordinal);
            Assert.Matches($@"\${variable}\s*=", discovery);
        }
    }
}
