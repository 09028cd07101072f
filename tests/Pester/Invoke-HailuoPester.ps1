<#
.SYNOPSIS
    Runs the Pester suite against the built module and reports its counts.
.DESCRIPTION
    Imports Pester 5.9.1 from out/modules, where tools/TestModules lays it out of its NuGet package
    (dotnet build Hailuo.sln does that, and so does this script when it is missing), so nothing is
    installed into the user's module paths. Runs every *.Tests.ps1 file in this folder; the files import
    the module the build laid out in out/Hailuo and start emulators of their own with dotnet.

    Prints "PESTER-COUNTS <passed> <failed> <skipped>" and, with -ResultPath, writes the counts and the
    names of the failed tests as JSON there. A file that fails outside any test (a syntax error, a failed
    BeforeAll) counts as a failure too.
.PARAMETER ResultPath
    Where to write { passed, failed, skipped, failedNames } as JSON, for build.ps1 to add to its totals.
#>
[CmdletBinding()]
param(
    [string] $ResultPath
)
$ErrorActionPreference = 'Stop'
$repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$pesterVersion = '5.9.1'
$pesterManifest = [System.IO.Path]::Combine($repoRoot, 'out', 'modules', 'Pester', $pesterVersion, 'Pester.psd1')

function Write-PesterCounts {
    param([int] $Passed, [int] $Failed, [int] $Skipped, [string[]] $FailedNames = @())
    Write-Host "PESTER-COUNTS $Passed $Failed $Skipped"
    if ($ResultPath) {
        [pscustomobject]@{ passed = $Passed; failed = $Failed; skipped = $Skipped; failedNames = @($FailedNames) } |
            ConvertTo-Json | Set-Content -LiteralPath $ResultPath -Encoding UTF8
    }
}

if (-not (Test-Path -LiteralPath $pesterManifest)) {
    & dotnet build (Join-Path $repoRoot 'tools/TestModules/TestModules.csproj') --nologo -v quiet
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath $pesterManifest)) {
        Write-Host "Pester $pesterVersion could not be laid out in out/modules: dotnet build tools/TestModules failed."
        Write-PesterCounts -Passed 0 -Failed 1 -Skipped 0 -FailedNames 'Pester could not be laid out'
        exit 1
    }
}
Import-Module $pesterManifest -Force

$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Output.Verbosity = 'Detailed'
$result = $null
try {
    $result = Invoke-Pester -Configuration $config
}
catch {
    Write-Host "Invoke-Pester failed: $($_.Exception.Message)"
}
if ($null -eq $result) {
    Write-PesterCounts -Passed 0 -Failed 1 -Skipped 0 -FailedNames 'Invoke-Pester'
    exit 1
}
$failedNames = @($result.Failed | ForEach-Object { "Pester: $($_.ExpandedPath)" }) +
    @($result.FailedContainers | ForEach-Object { "Pester: $($_.Item) (outside any test)" }) +
    @($result.FailedBlocks | ForEach-Object { "Pester: $($_.ExpandedPath) (BeforeAll or AfterAll)" })
$failed = $result.FailedCount + $result.FailedContainersCount + $result.FailedBlocksCount
Write-PesterCounts -Passed $result.PassedCount -Failed $failed -Skipped $result.SkippedCount -FailedNames $failedNames
if ($failed -gt 0) { exit 1 }
