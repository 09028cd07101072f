<#
.SYNOPSIS
    The quickstart: turns examples/prompts.csv into MP4 files on the offline emulator. No key, no
    credits, no internet.

.DESCRIPTION
    Runs the module's main job end to end, for Windows PowerShell 5.1 and PowerShell 7:
      1. builds the module if out/Hailuo/Hailuo.PowerShell.dll is missing (dotnet publish);
      2. starts the emulator (dotnet run --project src/Hailuo.Emulator) on a free loopback port,
         with jobs of the published 30-90 s taking under a second;
      3. imports ./out/Hailuo (the built module) and connects to the emulator's core.today API;
      4. runs  Import-Csv examples/prompts.csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path ./videos
      5. prints what it made, and always stops the emulator.

    The quickstart keeps its own job ledger (HAILUO_DATA_HOME points at a temporary folder), so your
    real ledger never sees emulator jobs, and every run starts clean: the folder is deleted at the
    end. With -KeepLedger it uses <temp>/hailuo-quickstart instead and keeps it, so you can read
    ledger.jsonl afterwards; a later run with -KeepLedger then finds every row in that ledger and
    submits nothing (the emulator it talks to is a new one, so delete the folder to start over).

.PARAMETER KeepLedger
    Use and keep the ledger in <temp>/hailuo-quickstart instead of a fresh folder deleted at the end.

.PARAMETER OutputPath
    Where to save the videos, relative to the repository root. Default: ./videos (git ignores it).

.PARAMETER TimeScale
    The emulator's real seconds per emulated second. 0.01 makes a 90-second job take 0.9 seconds.

.PARAMETER StartTimeoutSeconds
    How long to wait for the emulator to build and start. The first run builds it.

.EXAMPLE
    ./examples/quickstart.ps1

.EXAMPLE
    ./examples/quickstart.ps1 -KeepLedger -Verbose
#>
[CmdletBinding()]
param(
    [switch] $KeepLedger,

    [string] $OutputPath = './videos',

    [ValidateRange(0.001, 1.0)]
    [double] $TimeScale = 0.01,

    [ValidateRange(10, 3600)]
    [int] $StartTimeoutSeconds = 300
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$repoRoot = Split-Path -Parent $PSScriptRoot
# Starting and stopping the emulator is shared with the Pester suite.
Import-Module (Join-Path (Join-Path $repoRoot 'tools') 'ChildProcess.psm1') -Force
# Every build lays the module out in out/Hailuo (src/Hailuo.PowerShell/Module.targets).
$moduleFolder = Join-Path (Join-Path $repoRoot 'out') 'Hailuo'
$manifest = Join-Path $moduleFolder 'Hailuo.psd1'
$rootAssembly = Join-Path $moduleFolder 'Hailuo.PowerShell.dll'
$hadDataHome = Test-Path Env:HAILUO_DATA_HOME
$previousDataHome = $env:HAILUO_DATA_HOME
# The connection settings too: Disconnect-Hailuo at the end must not remove your saved connection.
$hadConfigHome = Test-Path Env:HAILUO_CONFIG_HOME
$previousConfigHome = $env:HAILUO_CONFIG_HOME
$dataHome = $null
$emulator = $null

Push-Location $repoRoot
try {
    if (-not (Test-Path -LiteralPath $rootAssembly)) {
        Write-Host 'Building the module: dotnet publish src/Hailuo.PowerShell -c Release' -ForegroundColor Cyan
        & dotnet publish src/Hailuo.PowerShell -c Release
        if ($LASTEXITCODE -ne 0) {
            throw "dotnet publish failed with exit code $LASTEXITCODE."
        }
    }

    # A ledger of its own, so emulator jobs never mix with real ones and each run starts clean.
    if ($KeepLedger) {
        $dataHome = Join-Path ([System.IO.Path]::GetTempPath()) 'hailuo-quickstart'
    }
    else {
        $dataHome = Join-Path ([System.IO.Path]::GetTempPath()) ('hailuo-quickstart-' + [guid]::NewGuid().ToString('N'))
    }
    New-Item -ItemType Directory -Force -Path $dataHome | Out-Null
    $env:HAILUO_DATA_HOME = $dataHome
    $env:HAILUO_CONFIG_HOME = $dataHome
    Write-Host "Ledger: $(Join-Path $dataHome 'ledger.jsonl')"

    Write-Host 'Starting the emulator (the first run builds it)...' -ForegroundColor Cyan
    $emulator = Start-EmulatorProcess -RepoRoot $repoRoot -TimeScale $TimeScale -TimeoutSeconds $StartTimeoutSeconds
    $url = $emulator.Url
    Write-Host "Emulator: $url"

    Import-Module $manifest -Force
    Connect-Hailuo -Provider CoreToday -BaseUri "$url/coretoday/v1" -ApiKey (ConvertTo-SecureString 'emulator-key' -AsPlainText -Force) -NoPersist

    $started = Get-Date
    # A bad row is reported and the others go on, so this one statement runs with 'Continue'.
    $files = & {
        $ErrorActionPreference = 'Continue'
        Import-Csv examples/prompts.csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path $OutputPath
    }
    $elapsed = (Get-Date) - $started
    $files = @($files)

    $folder = $OutputPath
    if (Test-Path -LiteralPath $OutputPath) {
        $folder = (Resolve-Path -LiteralPath $OutputPath).Path
    }
    Write-Host ''
    Write-Host "$($files.Count) video(s) in $folder after $([math]::Round($elapsed.TotalSeconds, 1)) s:" -ForegroundColor Green
    # The long file name goes last, so a narrow console cuts only its end.
    $files | Select-Object @{ Name = 'Status'; Expression = { if ($_.PSObject.Properties['HailuoJob']) { $_.HailuoJob.Status } } },
        @{ Name = 'KB'; Expression = { [long] [math]::Round($_.Length / 1KB) } },
        Name |
        Format-Table -AutoSize | Out-Host

    $stats = Invoke-RestMethod -Uri "$url/_emulator/stats?jobs=false"
    $coreToday = $stats.providers.coretoday
    $summary = "The emulator created {0} job(s) (at core.today's price, {1} credits), answered {2} status poll(s) and served {3} download(s)."
    Write-Host ($summary -f $coreToday.creates, (420 * $coreToday.creates), $coreToday.statusPolls, $coreToday.downloads)
}
finally {
    if (Get-Command Disconnect-Hailuo -ErrorAction SilentlyContinue) {
        try { Disconnect-Hailuo } catch { Write-Verbose "Disconnect-Hailuo: $($_.Exception.Message)" }
    }
    Stop-EmulatorProcess -Emulator $emulator
    if ($hadDataHome) {
        $env:HAILUO_DATA_HOME = $previousDataHome
    }
    else {
        Remove-Item Env:HAILUO_DATA_HOME -ErrorAction SilentlyContinue
    }
    if ($hadConfigHome) {
        $env:HAILUO_CONFIG_HOME = $previousConfigHome
    }
    else {
        Remove-Item Env:HAILUO_CONFIG_HOME -ErrorAction SilentlyContinue
    }
    if ($null -ne $dataHome -and -not $KeepLedger) {
        # The module may still hold the ledger open on Windows; a leftover temp folder is harmless.
        Remove-Item -LiteralPath $dataHome -Recurse -Force -ErrorAction SilentlyContinue
    }
    Pop-Location
}
