<#
.SYNOPSIS
    Builds, tests and packages the Hailuo module.
.DESCRIPTION
    A plain script for Windows PowerShell 5.1 and PowerShell 7. The layout logic lives in MSBuild
    (src/Hailuo.PowerShell/Module.targets), so this script and .ci/run only call dotnet.
      Build    dotnet publish into the module layout: module/Hailuo.PowerShell.dll and module/Dependencies/.
      Test     dotnet test, then Invoke-Pester tests/Pester when Pester 5 is installed.
      Package  a publishable out/Hailuo/<version>/ folder.
      Clean    removes build output.
.EXAMPLE
    ./build.ps1
.EXAMPLE
    ./build.ps1 -Task Build, Test, Package
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Clean')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$root = $PSScriptRoot

function Invoke-Dotnet {
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    Write-Host "dotnet $($Arguments -join ' ')" -ForegroundColor Cyan
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE."
    }
}

Push-Location $root
try {
    foreach ($step in $Task) {
        switch ($step) {
            'Clean' {
                Invoke-Dotnet clean Hailuo.sln -c $Configuration
                # en-US/ at the root is the build's copy of module/en-US/about_Hailuo.help.txt, which stays.
                foreach ($path in @('module/Dependencies', 'out', 'en-US')) {
                    if (Test-Path $path) { Remove-Item -Recurse -Force $path }
                }
                Get-ChildItem module -Filter '*.dll' -ErrorAction SilentlyContinue | Remove-Item -Force
                Get-ChildItem module/en-US -Filter '*.dll-Help.xml' -ErrorAction SilentlyContinue | Remove-Item -Force
            }
            'Build' {
                Invoke-Dotnet publish src/Hailuo.PowerShell/Hailuo.PowerShell.csproj -c $Configuration
            }
            'Test' {
                Invoke-Dotnet test Hailuo.sln -c $Configuration
                $pester = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]'5.0' } | Select-Object -First 1
                if ($null -eq $pester) {
                    Write-Warning 'Pester 5 is not installed, so tests/Pester was skipped. Install-Module Pester -MinimumVersion 5.0 to run it.'
                }
                else {
                    Import-Module $pester
                    $config = New-PesterConfiguration
                    $config.Run.Path = Join-Path $root 'tests/Pester'
                    $config.Run.Exit = $false
                    $config.Run.PassThru = $true
                    $config.Output.Verbosity = 'Detailed'
                    $result = Invoke-Pester -Configuration $config
                    if ($result.FailedCount -gt 0) {
                        throw "$($result.FailedCount) Pester test(s) failed."
                    }
                }
            }
            'Package' {
                Invoke-Dotnet msbuild src/Hailuo.PowerShell/Hailuo.PowerShell.csproj -t:PackageModule -p:Configuration=$Configuration -restore
            }
        }
    }
}
finally {
    Pop-Location
}
