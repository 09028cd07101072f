<#
.SYNOPSIS
    Builds, tests and packages the Hailuo module.
.DESCRIPTION
    A plain script for Windows PowerShell 5.1 and PowerShell 7. The layout logic lives in MSBuild
    (src/Hailuo.PowerShell/Module.targets), so this script only calls dotnet and PowerShell.
      Build    dotnet publish into the module layout out/Hailuo/ (Import-Module ./out/Hailuo then works).
      Test     every suite: builds the solution (which lays out the module, its help and Pester 5.9.1 in
               out/modules), runs the xunit projects, the benchmark and reliability smoke passes, and the
               Pester suite in a child PowerShell; ends with the line "N passed, N failed" over all of them.
      Package  a publishable out/package/Hailuo/<version>/ folder.
      Clean    removes build output.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Build, Package
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
Import-Module (Join-Path (Join-Path $root 'tools') 'ChildProcess.psm1') -Force

# A plain function on purpose: an advanced one would read -p:Configuration=... as its common parameter -ProgressAction.
function Invoke-Dotnet {
    Write-Host "dotnet $($args -join ' ')" -ForegroundColor Cyan
    & dotnet @args
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($args[0]) failed with exit code $LASTEXITCODE."
    }
}

function Read-TrxCounts {
    <# The passed and failed counts and the failed tests' names of every .trx file in a folder. #>
    param([string] $Folder)
    $counts = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0; Files = 0; FailedNames = @() }
    foreach ($file in @(Get-ChildItem -LiteralPath $Folder -Filter '*.trx' -ErrorAction SilentlyContinue)) {
        [xml] $trx = Get-Content -LiteralPath $file.FullName -Raw
        $counters = $trx.TestRun.ResultSummary.Counters
        $counts.Files++
        $counts.Passed += [int] $counters.passed
        $counts.Failed += [int] $counters.failed
        $counts.Skipped += [int] $counters.notExecuted
        $counts.FailedNames += @($trx.TestRun.Results.UnitTestResult | Where-Object { $_.outcome -eq 'Failed' } | ForEach-Object { $_.testName })
    }
    $counts
}

function Invoke-TestSuites {
    <# Runs every suite, prints what failed and the closing count, and returns whether all passed. #>
    $results = Join-Path (Join-Path $root 'out') 'test-results'
    if (Test-Path -LiteralPath $results) { Remove-Item -LiteralPath $results -Recurse -Force }
    New-Item -ItemType Directory -Path $results | Out-Null
    $passed = 0
    $failed = 0
    $skipped = 0
    $failedNames = New-Object System.Collections.Generic.List[string]

    Write-Host "`n=== xunit" -ForegroundColor Cyan
    & dotnet test Hailuo.sln -c $Configuration --no-build --logger 'trx;LogFilePrefix=xunit' --results-directory $results
    $testExit = $LASTEXITCODE
    $xunit = Read-TrxCounts -Folder $results
    $passed += $xunit.Passed
    $failed += $xunit.Failed
    $skipped += $xunit.Skipped
    foreach ($name in $xunit.FailedNames) { $failedNames.Add($name) }
    if ($xunit.Files -eq 0 -or ($testExit -ne 0 -and $xunit.Failed -eq 0)) {
        $failedNames.Add("dotnet test exited $testExit without a readable result")
        $failed++
    }

    $smokePasses = [ordered]@{
        'benchmark smoke pass (the figures come from a full run, see docs/benchmarks.md)'   = 'bench/Hailuo.Bench'
        'reliability smoke pass (the figures come from a full run, see docs/reliability.md)' = 'tests/Hailuo.Reliability'
    }
    foreach ($smoke in $smokePasses.GetEnumerator()) {
        Write-Host "`n=== $($smoke.Key)" -ForegroundColor Cyan
        & dotnet run -c $Configuration --no-build --project $smoke.Value -- --quick
        if ($LASTEXITCODE -eq 0) { $passed++ } else { $failed++; $failedNames.Add("$($smoke.Value) --quick") }
    }

    Write-Host "`n=== Pester (in a child PowerShell)" -ForegroundColor Cyan
    $pesterResult = Join-Path $results 'pester.json'
    $launcher = Get-PowerShellLauncher
    & $launcher.FilePath @($launcher.Arguments) -NoLogo -NoProfile -NonInteractive -File (Join-Path $root 'tests/Pester/Invoke-HailuoPester.ps1') -ResultPath $pesterResult
    if (Test-Path -LiteralPath $pesterResult) {
        $pester = Get-Content -LiteralPath $pesterResult -Raw | ConvertFrom-Json
        $passed += $pester.passed
        $failed += $pester.failed
        $skipped += $pester.skipped
        foreach ($name in @($pester.failedNames)) { $failedNames.Add($name) }
    }
    else {
        $failedNames.Add('Pester wrote no result')
        $failed++
    }

    # The failed names go last, next to the count, where a truncated log still shows them.
    Write-Host ''
    if ($failedNames.Count -gt 0) {
        Write-Host 'Failed tests:'
        foreach ($name in $failedNames) { Write-Host "  $name" }
    }
    if ($skipped -gt 0) {
        Write-Host "$skipped skipped (each says why above; a skipped test is not counted as passed)."
    }
    Write-Host "$passed passed, $failed failed"
    return ($failed -eq 0)
}

$testsFailed = $false
Push-Location $root
try {
    foreach ($step in $Task) {
        switch ($step) {
            'Clean' {
                Invoke-Dotnet clean Hailuo.sln -c $Configuration
                # Every build output lives under out/ (the module in out/Hailuo); module/ holds only tracked sources.
                if (Test-Path 'out') { Remove-Item -Recurse -Force 'out' }
            }
            'Build' {
                Invoke-Dotnet publish src/Hailuo.PowerShell/Hailuo.PowerShell.csproj -c $Configuration
            }
            'Test' {
                # The whole solution: the module layout, the help, the emulator, the tests and Pester in out/modules.
                Invoke-Dotnet build Hailuo.sln -c $Configuration
                # No throw: the count stays the last line, and the exit code says it failed.
                if (-not (Invoke-TestSuites)) { $testsFailed = $true }
            }
            'Package' {
                # Quoted: unquoted, -t:PackageModule reaches a function as the parameter token -t: and a separate argument.
                Invoke-Dotnet msbuild src/Hailuo.PowerShell/Hailuo.PowerShell.csproj '-t:PackageModule' "-p:Configuration=$Configuration" '-restore'
            }
        }
    }
}
finally {
    Pop-Location
}
if ($testsFailed) { exit 1 }
