# Pester 5: the manifest and the built module layout. Run after `dotnet build src/Hailuo.PowerShell`
# (or ./build.ps1), through tests/Pester/Invoke-HailuoPester.ps1 or Invoke-Pester tests/Pester.
BeforeAll {
    $script:RepoRoot = Resolve-Path (Join-Path $PSScriptRoot '../..')
    # The laid-out copy, beside the files it names; Hailuo.psd1 at the root is its source.
    $script:ManifestPath = Join-Path $RepoRoot 'out/Hailuo/Hailuo.psd1'
}

Describe 'Hailuo.psd1' {
    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest -Path $ManifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'is laid out as the source at the root says, byte for byte' {
        (Get-FileHash -LiteralPath $ManifestPath).Hash | Should -Be (Get-FileHash -LiteralPath (Join-Path $RepoRoot 'Hailuo.psd1')).Hash
    }

    It 'declares both editions and PowerShell 5.1' {
        $manifest = Import-PowerShellDataFile -Path $ManifestPath
        $manifest.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $manifest.PowerShellVersion | Should -Be '5.1'
    }

    It 'names its exports explicitly, never with wildcards' {
        $manifest = Import-PowerShellDataFile -Path $ManifestPath
        foreach ($key in 'CmdletsToExport', 'FunctionsToExport', 'AliasesToExport', 'VariablesToExport') {
            $manifest.ContainsKey($key) | Should -BeTrue
            @($manifest[$key]) -contains '*' | Should -BeFalse
        }
    }

    It 'has the ProjectUri, LicenseUri and Tags a gallery needs' {
        $psData = (Import-PowerShellDataFile -Path $ManifestPath).PrivateData.PSData
        $psData.ProjectUri | Should -Not -BeNullOrEmpty
        $psData.LicenseUri | Should -Not -BeNullOrEmpty
        $psData.Tags | Should -Contain 'Hailuo'
    }
}

Describe 'The built module' {
    It 'imports from out/Hailuo, where every build lays it out' {
        $root = Join-Path $RepoRoot 'out/Hailuo/Hailuo.PowerShell.dll'
        Test-Path $root | Should -BeTrue -Because 'dotnet build src/Hailuo.PowerShell lays the module out first'
        $module = Import-Module (Join-Path $RepoRoot 'out/Hailuo') -Force -PassThru
        $module.ModuleBase | Should -Be ([System.IO.Path]::GetFullPath((Join-Path $RepoRoot 'out/Hailuo')))
        $module.Name | Should -Be 'Hailuo'
        Remove-Module Hailuo -Force
    }

    It 'keeps the engine and its dependencies out of the module root' {
        Test-Path (Join-Path $RepoRoot 'out/Hailuo/Dependencies/Hailuo.dll') | Should -BeTrue
        Test-Path (Join-Path $RepoRoot 'out/Hailuo/Hailuo.dll') | Should -BeFalse
        Test-Path (Join-Path $RepoRoot 'out/Hailuo/System.Text.Json.dll') | Should -BeFalse
    }

    It 'leaves the tracked sources in module/ alone: only the format file and the about topic are there' {
        @(Get-ChildItem -LiteralPath (Join-Path $RepoRoot 'module') -Recurse -File | ForEach-Object { $_.Name } | Sort-Object) |
            Should -Be @('about_Hailuo.help.txt', 'Hailuo.format.ps1xml')
        Test-Path (Join-Path $RepoRoot 'en-US') | Should -BeFalse
    }
}
