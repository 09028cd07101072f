# Figure 5 of docs/benchmarks.md: the PowerShell pipeline's wall time and CPU for a CSV of rows, against an
# emulator that Hailuo.Bench has started. Run through `dotnet run -c Release --project bench/Hailuo.Bench --
# --only pipeline` on a machine with PowerShell 7, after ./build.ps1 has laid the module out.
param(
    [Parameter(Mandatory)] [string] $EmulatorUrl,
    [Parameter(Mandatory)] [int] $Rows,
    [Parameter(Mandatory)] [string] $Folder
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
# A ledger and a key of the run's own: nothing is read from or written to the user's.
$env:HAILUO_DATA_HOME = Join-Path $Folder 'data'
$env:REPLICATE_API_TOKEN = 'bench-key-not-a-secret'
Import-Module (Join-Path $root 'Hailuo.psd1') -Force
Connect-Hailuo -Provider Replicate -BaseUri "$EmulatorUrl/replicate/v1" -NoPersist | Out-Null

$csv = Join-Path $Folder 'rows.csv'
1..$Rows | ForEach-Object {
    [pscustomobject]@{ prompt = "pwsh row $($_): a lighthouse in a storm, waves crashing"; resolution = '768p'; duration = 6 }
} | Export-Csv -Path $csv -NoTypeInformation

$process = Get-Process -Id $PID
$cpuBefore = $process.TotalProcessorTime
$clock = [System.Diagnostics.Stopwatch]::StartNew()
$saved = @(Import-Csv $csv | New-HailuoVideo | Wait-HailuoJob -NoProgress | Save-HailuoVideo -Path (Join-Path $Folder 'videos') -NoProgress)
$clock.Stop()
$process.Refresh()
$cpu = ($process.TotalProcessorTime - $cpuBefore).TotalSeconds
$inv = [cultureinfo]::InvariantCulture
"PIPELINE-RESULT rows=$($saved.Count) seconds=$($clock.Elapsed.TotalSeconds.ToString($inv)) cpu=$($cpu.ToString($inv))"
