# Pester 5: the manifest and the built module layout. Run after `dotnet publish src/Hailuo.PowerShell`
# (or ./build.ps1), through tests/Pester/Invoke-HailuoPester.ps1 or Invoke-Pester tests/Pester.
BeforeAll {
    $script:RepoRoot = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $script:ManifestPath = Join-Path $RepoRoot 'Hailuo.psd1'
}

Describe 'Hailuo.psd1' {
    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest -Path $ManifestPath -ErrorAction Stop } | Should -Not -Throw
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
    It 'imports from the repository root' {
        $root = Join-Path $RepoRoot 'module/Hailuo.PowerShell.dll'
        Test-Path $root | Should -BeTrue -Because 'dotnet publish src/Hailuo.PowerShell lays the module out first'
        $module = Import-Module $ManifestPath -Force -PassThru
        $module.Name | Should -Be 'Hailuo'
        Remove-Module Hailuo -Force
    }

    It 'keeps the engine and its dependencies out of the module root' {
        Test-Path (Join-Path $RepoRoot 'module/Dependencies/Hailuo.dll') | Should -BeTrue
        Test-Path (Join-Path $RepoRoot 'module/Hailuo.dll') | Should -BeFalse
        Test-Path (Join-Path $RepoRoot 'module/System.Text.Json.dll') | Should -BeFalse
    }
}
