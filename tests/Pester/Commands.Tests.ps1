# Pester 5: the module's surface as PowerShell sees it: the manifest, exactly the eight cmdlets of
# docs/cmdlets.md, and tab completion of the values the contract lists.

BeforeDiscovery {
    $completions = @(
        @{ Parameter = 'Provider'; Expected = @('CoreToday', 'Cloudflare', 'Replicate', 'MiniMax') }
        @{ Parameter = 'Resolution'; Expected = @('768p', '1080p') }
        @{ Parameter = 'Model'; Expected = @('hailuo-2.3', 'hailuo-2.3-fast') }
        @{ Parameter = 'Duration'; Expected = @('6', '10') }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:ManifestPath = Get-HailuoManifestPath
    Import-HailuoTestModule
    $script:DataHome = Enter-TestDataHome
    $script:EightCmdlets = @(
        'Connect-Hailuo', 'Disconnect-Hailuo', 'Get-HailuoConnection', 'Get-HailuoJob',
        'New-HailuoVideo', 'Save-HailuoVideo', 'Stop-HailuoJob', 'Wait-HailuoJob'
    )

    function Get-CompletionText {
        param([string] $Line)
        $result = TabExpansion2 -inputScript $Line -cursorColumn $Line.Length
        @($result.CompletionMatches | ForEach-Object { $_.CompletionText.Trim("'", '"') })
    }
}

AfterAll {
    Exit-TestDataHome -State $script:DataHome
}

Describe 'The manifest' {
    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest -Path $ManifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'exports the eight cmdlets by name' {
        $manifest = Import-PowerShellDataFile -Path $ManifestPath
        (@($manifest.CmdletsToExport | Sort-Object) -join ',') | Should -Be ($EightCmdlets -join ',')
    }
}

Describe 'Get-Command -Module Hailuo' {
    It 'lists exactly the eight cmdlets' {
        $commands = @(Get-Command -Module Hailuo)
        (@($commands | ForEach-Object { $_.Name } | Sort-Object) -join ',') | Should -Be ($EightCmdlets -join ',')
        $commands | ForEach-Object { "$($_.CommandType)" | Should -Be 'Cmdlet' }
    }

    It 'takes them all from Hailuo.PowerShell.dll' {
        Get-Command -Module Hailuo | ForEach-Object {
            $_.ImplementingType.Assembly.GetName().Name | Should -Be 'Hailuo.PowerShell'
        }
    }
}

Describe 'Tab completion of New-HailuoVideo -<Parameter>' -ForEach $completions {
    It 'offers every value' {
        $offered = Get-CompletionText -Line "New-HailuoVideo -$Parameter "
        foreach ($value in $Expected) {
            $offered | Should -Contain $value
        }
    }

    It 'narrows to what was typed' {
        $first = $Expected[$Expected.Count - 1]
        $offered = Get-CompletionText -Line "New-HailuoVideo -$Parameter $($first.Substring(0, 2))"
        $offered | Should -Contain $first
        foreach ($value in $Expected | Where-Object { -not $_.StartsWith($first.Substring(0, 2), [System.StringComparison]::OrdinalIgnoreCase) }) {
            $offered | Should -Not -Contain $value
        }
    }
}
