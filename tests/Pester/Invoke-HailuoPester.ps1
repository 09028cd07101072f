<#
.SYNOPSIS
    Runs the Pester 5 suite against the built module and prints "PESTER-COUNTS <passed> <failed>"
    for .ci/run to add to its totals.
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
$result = Invoke-Pester -Configuration $config
Write-Host "PESTER-COUNTS $($result.PassedCount) $($result.FailedCount)"
if ($result.FailedCount -gt 0) { exit 1 }
