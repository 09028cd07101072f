# Pester 5: what Get-Help shows in a real PowerShell. Every cmdlet documented in docs/help (the
# platyPS-schema sources, see docs/help/README.md) has its synopsis and description (so the MAML the
# build generated was found and read, not help made up from metadata), every parameter documented
# and at least two examples; every exported cmdlet has a help file; about_Hailuo is found once the
# module is imported. That the sources match the compiled cmdlets is tools/Update-CmdletDocs.ps1
# -Check's to say, run by tests/Hailuo.PowerShell.Tests/Help/UpdateCmdletDocsTests.cs.

BeforeDiscovery {
    $helpSource = Join-Path (Join-Path (Join-Path $PSScriptRoot '../..') 'docs') 'help'
    $cmdlets = foreach ($file in @(Get-ChildItem -LiteralPath $helpSource -Filter '*-*.md' | Sort-Object Name)) {
        @{ Name = $file.BaseName; Source = $file.FullName }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:RepoRoot = Get-HailuoRepoRoot
    Import-HailuoTestModule
    $script:DataHome = Enter-TestDataHome
    $script:CommonParameters = @([System.Management.Automation.PSCmdlet]::CommonParameters) +
        @([System.Management.Automation.PSCmdlet]::OptionalCommonParameters) + @('ProgressAction')

    function Get-SourceSection {
        # The first paragraph of a section of a docs/help source, as the generator writes it to MAML.
        param([string] $Path, [string] $Section)
        $lines = @(Get-Content -LiteralPath $Path | ForEach-Object { [string] $_ })
        $start = -1
        for ($i = 0; $i -lt $lines.Count; $i++) {
            if ($lines[$i] -eq "## $Section") { $start = $i; break }
        }
        if ($start -lt 0) { throw "$Path has no '## $Section' section." }
        $paragraph = @()
        for ($i = $start + 1; $i -lt $lines.Count; $i++) {
            if ($lines[$i].Trim() -eq '') {
                if ($paragraph.Count -gt 0) { break } else { continue }
            }
            $paragraph += $lines[$i].Trim()
        }
        ($paragraph -join ' ').Replace('`', '')
    }
}

AfterAll {
    Exit-TestDataHome -State $script:DataHome
}

Describe 'The generated help files' {
    It 'has the MAML and the about topic under the module base, where Get-Help looks' {
        $base = Join-Path (Get-Module -Name Hailuo).ModuleBase 'en-US'
        Test-Path -LiteralPath (Join-Path $base 'Hailuo.PowerShell.dll-Help.xml') | Should -BeTrue
        Test-Path -LiteralPath (Join-Path $base 'about_Hailuo.help.txt') | Should -BeTrue
    }

    It 'parses as MAML with one command per exported cmdlet' {
        [xml] $maml = Get-Content -LiteralPath (Join-Path (Get-Module -Name Hailuo).ModuleBase 'en-US/Hailuo.PowerShell.dll-Help.xml') -Raw
        $maml.helpItems.schema | Should -Be 'maml'
        $exported = @((Get-Module -Name Hailuo).ExportedCmdlets.Keys | Sort-Object)
        $exported.Count | Should -BeGreaterThan 0
        @($maml.helpItems.command | ForEach-Object { $_.details.name } | Sort-Object) | Should -Be $exported
    }

    It 'has a docs/help source for every exported cmdlet' {
        foreach ($name in (Get-Module -Name Hailuo).ExportedCmdlets.Keys) {
            Join-Path (Join-Path (Join-Path $RepoRoot 'docs') 'help') "$name.md" | Should -Exist -Because "$name needs help: run tools/Update-CmdletDocs.ps1 for a stub"
        }
    }
}

Describe 'Get-Help <Name>' -ForEach $cmdlets {
    BeforeAll {
        $help = Get-Help -Name $Name -Full
        $command = Get-Command -Name $Name -Module Hailuo -ErrorAction Stop
    }

    It 'has the synopsis written in docs/help' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis.Trim() | Should -Be (Get-SourceSection -Path $Source -Section 'SYNOPSIS')
    }

    It 'has the description written in docs/help' {
        $description = (@($help.description | ForEach-Object { $_.Text }) -join ' ').Trim()
        $description | Should -Not -BeNullOrEmpty
        $first = Get-SourceSection -Path $Source -Section 'DESCRIPTION'
        $description.StartsWith($first.Substring(0, [Math]::Min(60, $first.Length))) | Should -BeTrue -Because "the description should start with: $first"
    }

    It 'documents every parameter the cmdlet has' {
        $documented = @($help.parameters.parameter | Where-Object { $null -ne $_ })
        $parameters = @($command.Parameters.Keys | Where-Object { $CommonParameters -notcontains $_ })
        foreach ($parameter in $parameters) {
            $entry = $documented | Where-Object { $_.name -eq $parameter } | Select-Object -First 1
            $entry | Should -Not -BeNullOrEmpty -Because "-$parameter of $Name needs help"
            (@($entry.description | ForEach-Object { $_.Text }) -join '') | Should -Not -BeNullOrEmpty -Because "-$parameter of $Name needs a description"
        }
    }

    It 'documents no parameter the cmdlet lacks' {
        $names = @($command.Parameters.Keys)
        foreach ($entry in @($help.parameters.parameter | Where-Object { $null -ne $_ })) {
            $names | Should -Contain $entry.name
        }
    }

    It 'has at least two examples that use it' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $example.code | Should -Match ([regex]::Escape($Name))
            (@($example.remarks | ForEach-Object { $_.Text }) -join '') | Should -Not -BeNullOrEmpty
        }
    }
}

Describe 'about_Hailuo' {
    It 'is found by Get-Help once the module is imported' {
        $about = Get-Help -Name about_Hailuo -ErrorAction Stop | Out-String
        $about | Should -Match 'about_Hailuo'
        $about | Should -Match 'SHORT DESCRIPTION'
        $about | Should -Match 'TROUBLESHOOTING'
    }
}
