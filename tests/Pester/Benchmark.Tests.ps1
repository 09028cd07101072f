# Pester 5: figure 5 of docs/benchmarks.md comes from bench/Hailuo.Bench/pipeline-per-row.ps1 alone; this runs
# it small, as the smoke pass of that figure, in a child PowerShell (it imports the module and starts an
# emulator of its own), and checks that both sides made every video and that it printed its figures.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:RepoRoot = Get-HailuoRepoRoot
    $script:Script = Join-Path (Join-Path (Join-Path $RepoRoot 'bench') 'Hailuo.Bench') 'pipeline-per-row.ps1'
    $script:DocsBefore = Get-Content -Raw -LiteralPath (Join-Path (Join-Path $RepoRoot 'docs') 'benchmarks.md')
}

Describe 'Figure 5, the per-row cost of the PowerShell pipeline' {
    BeforeAll {
        $script:Result = Invoke-ChildPowerShell -Script "& $(ConvertTo-PSLiteral $Script) -Rows 12 -Repeat 1"
    }

    It 'runs to the end' {
        $Result.ExitCode | Should -Be 0 -Because $Result.Output
    }

    It 'prints the module''s and the plain script''s figures for the rows it ran' {
        $Result.Output | Should -Match 'module +12 rows, round 1' -Because $Result.Output
        $Result.Output | Should -Match 'plain +12 rows, round 1'
        $Result.Output | Should -Match '\b12 module\b'
        $Result.Output | Should -Match '\b12 plain\b'
    }

    It 'leaves docs/benchmarks.md alone without -UpdateDocs' {
        Get-Content -Raw -LiteralPath (Join-Path (Join-Path $RepoRoot 'docs') 'benchmarks.md') | Should -BeExactly $DocsBefore
    }
}
