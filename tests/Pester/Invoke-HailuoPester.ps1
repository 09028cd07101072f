<#
.SYNOPSIS
    Runs the Pester 5 suite against the built module and prints "PESTER-COUNTS <passed> <failed>"
    for .ci/run to add to its totals.
.DESCRIPTION
    Runs every *.Tests.ps1 file in this folder. The files import the module from the repository root
    (build it first: dotnet publish src/Hailuo.PowerShell -c Release) and start emulators of their own
    with dotnet, so the .NET SDK must be on the PATH. A file that fails outside any test (a syntax
    error, a failed discovery) counts as a failure too.
#>
$ErrorActionPreference = 'Stop'
$pester = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]'5.0' } | Sort-Object Version -Descending | Select-Object -First 1
if ($null -eq $pester) {
    Write-Host 'Pester 5 is not installed: Install-Module Pester -MinimumVersion 5.0 -Scope CurrentUser'
    Write-Host 'PESTER-COUNTS 0 1'
    exit 1
}
Import-Module $pester
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
    Write-Host 'PESTER-COUNTS 0 1'
    exit 1
}
$failed = $result.FailedCount + $result.FailedContainersCount
Write-Host "PESTER-COUNTS $($result.PassedCount) $failed"
if ($failed -gt 0) { exit 1 }
