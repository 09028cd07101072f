<#
    Shared helpers for the Pester 5 suite: the emulator (started as examples/quickstart.ps1 starts it),
    a ledger folder of each file's own, emulator statistics, MP4 checks and a child PowerShell for
    output that only the host sees (-WhatIf messages).
#>
Set-StrictMode -Version 3.0

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

function Get-HailuoRepoRoot {
    $script:RepoRoot
}

function Get-HailuoManifestPath {
    <# The laid-out module's manifest: every build copies Hailuo.psd1 into out/Hailuo beside the assembly. #>
    Join-Path (Join-Path (Join-Path $script:RepoRoot 'out') 'Hailuo') 'Hailuo.psd1'
}

function Import-HailuoTestModule {
    <# Imports the built module from out/Hailuo, failing clearly when the build has not run. #>
    $rootAssembly = Join-Path (Split-Path -Parent (Get-HailuoManifestPath)) 'Hailuo.PowerShell.dll'
    if (-not (Test-Path -LiteralPath $rootAssembly)) {
        throw "The module is not built: run 'dotnet build src/Hailuo.PowerShell -c Release' (or ./build.ps1) first."
    }
    Import-Module (Get-HailuoManifestPath) -Force -Global -ErrorAction Stop
}

# Starting and stopping the emulator is shared with examples/quickstart.ps1.
Import-Module (Join-Path (Join-Path $script:RepoRoot 'tools') 'ChildProcess.psm1') -Force

function Start-TestEmulator {
    <#
    .SYNOPSIS
        Starts the emulator on a free loopback port and returns { Process, Url, LogDirectory }.
    .PARAMETER TimeScale
        Real seconds per emulated second: 0.01 makes a 2-minute job take 1.2 s; 1 keeps jobs running
        long enough to cancel them.
    .PARAMETER ExtraArgument
        More emulator options, such as '--api-key', 'only-this-key'.
    #>
    [CmdletBinding()]
    param(
        [double] $TimeScale = 0.01,
        [string[]] $ExtraArgument = @(),
        [int] $TimeoutSeconds = 300
    )
    $project = Join-Path (Join-Path $script:RepoRoot 'src') 'Hailuo.Emulator'

    # Built once per process and run with --no-build, so the start timeout covers starting, not compiling.
    if ($env:HAILUO_TEST_EMULATOR_BUILT -ne $script:RepoRoot) {
        $build = & dotnet build $project -c Release --nologo -v quiet 2>&1
        if ($LASTEXITCODE -ne 0) {
            throw "dotnet build src/Hailuo.Emulator failed:`n$($build | Out-String)"
        }
        $env:HAILUO_TEST_EMULATOR_BUILT = $script:RepoRoot
    }

    Start-EmulatorProcess -RepoRoot $script:RepoRoot -TimeScale $TimeScale -ExtraArgument $ExtraArgument -TimeoutSeconds $TimeoutSeconds -NoBuild
}

function Stop-TestEmulator {
    <# Stops an emulator from Start-TestEmulator; a $null (its start failed) is ignored. #>
    param($Emulator)
    Stop-EmulatorProcess -Emulator $Emulator
}

function Connect-TestEmulator {
    <# Connects the module to an emulator's core.today API for this session only. #>
    param(
        [Parameter(Mandatory)] [string] $Url,
        [string] $Key = 'emulator-key'
    )
    Connect-Hailuo -Provider CoreToday -BaseUri "$Url/coretoday/v1" -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -NoPersist -ErrorAction Stop
}

function Disconnect-TestEmulator {
    if (Get-Command Disconnect-Hailuo -ErrorAction SilentlyContinue) {
        try {
            Disconnect-Hailuo -ErrorAction Stop
        }
        catch {
            Write-Warning "Disconnect-Hailuo: $($_.Exception.Message)"
        }
    }
}

function New-TestDirectory {
    param([string] $Prefix = 'hailuo-pester-')
    $path = Join-Path ([System.IO.Path]::GetTempPath()) ($Prefix + [guid]::NewGuid().ToString('N'))
    (New-Item -ItemType Directory -Path $path).FullName
}

function Remove-TestDirectory {
    param([string] $Path)
    if ($Path -and (Test-Path -LiteralPath $Path)) {
        # The module may still hold the ledger open on Windows; a leftover temp folder is harmless.
        Remove-Item -LiteralPath $Path -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function Enter-TestDataHome {
    <#
    Points HAILUO_DATA_HOME and HAILUO_CONFIG_HOME at a new temp folder, so each file has a ledger of its
    own and Disconnect-Hailuo never touches the user's saved connection. Returns the state to restore.
    #>
    $state = [pscustomobject]@{
        Path           = New-TestDirectory -Prefix 'hailuo-ledger-'
        Had            = Test-Path Env:HAILUO_DATA_HOME
        Previous       = $env:HAILUO_DATA_HOME
        HadConfig      = Test-Path Env:HAILUO_CONFIG_HOME
        PreviousConfig = $env:HAILUO_CONFIG_HOME
    }
    $env:HAILUO_DATA_HOME = $state.Path
    $env:HAILUO_CONFIG_HOME = $state.Path
    $state
}

function Exit-TestDataHome {
    param($State)
    if ($null -eq $State) {
        return
    }
    if ($State.Had) {
        $env:HAILUO_DATA_HOME = $State.Previous
    }
    else {
        Remove-Item Env:HAILUO_DATA_HOME -ErrorAction SilentlyContinue
    }
    if ($State.HadConfig) {
        $env:HAILUO_CONFIG_HOME = $State.PreviousConfig
    }
    else {
        Remove-Item Env:HAILUO_CONFIG_HOME -ErrorAction SilentlyContinue
    }
    Remove-TestDirectory $State.Path
}

function Get-EmulatorStats {
    <# GET /_emulator/stats: per provider, creates (paid jobs), statusPolls, cancels, downloads, and per job its status. #>
    param(
        [Parameter(Mandatory)] [string] $Url,
        [switch] $NoJobs
    )
    $query = if ($NoJobs) { '?jobs=false' } else { '' }
    Invoke-RestMethod -Uri "$Url/_emulator/stats$query" -ErrorAction Stop
}

function Get-EmulatorCount {
    <# One counter of one provider, such as creates or cancels of coretoday. #>
    param(
        [Parameter(Mandatory)] [string] $Url,
        [string] $Counter = 'creates',
        [string] $Provider = 'coretoday'
    )
    [long] (Get-EmulatorStats -Url $Url -NoJobs).providers.$Provider.$Counter
}

function Get-EmulatorJob {
    <# The emulator's own record of a job: status, polls, downloads, inputHash. $null when it has none. #>
    param(
        [Parameter(Mandatory)] [string] $Url,
        [Parameter(Mandatory)] [string] $Id,
        [string] $Provider = 'coretoday'
    )
    $jobs = (Get-EmulatorStats -Url $Url).providers.$Provider.jobs
    $property = $jobs.PSObject.Properties[$Id]
    if ($null -eq $property) {
        return $null
    }
    $property.Value
}

function Test-Mp4Header {
    <# True when the file's first 8 bytes hold the 'ftyp' box type, as every MP4 starts. #>
    param([Parameter(Mandatory)] [string] $Path)
    $stream = [System.IO.File]::OpenRead($Path)
    try {
        $buffer = New-Object byte[] 8
        $read = $stream.Read($buffer, 0, 8)
        $read -eq 8 -and [System.Text.Encoding]::ASCII.GetString($buffer).Contains('ftyp')
    }
    finally {
        $stream.Dispose()
    }
}

function ConvertTo-PSLiteral {
    <# A single-quoted PowerShell string literal, for building a child script. #>
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Value)
    "'" + $Value.Replace("'", "''") + "'"
}

function Invoke-ChildPowerShell {
    <#
    .SYNOPSIS
        Runs a script in a new process of this PowerShell and returns everything it printed, host
        output included (where -WhatIf messages go, which no stream redirection in-process can catch).
    #>
    param([Parameter(Mandatory)] [string] $Script)
    $launcher = Get-PowerShellLauncher
    $prelude = "`$ProgressPreference = 'SilentlyContinue'`n"
    $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($prelude + $Script))
    # -OutputFormat Text: without it, a child started with -EncodedCommand may write its errors as CLIXML.
    $output = & $launcher.FilePath @($launcher.Arguments) -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $encoded 2>&1 | Out-String -Width 4096
    [pscustomobject]@{
        ExitCode = $LASTEXITCODE
        Output   = $output
    }
}

function Get-RepoEmulatorProcess {
    <#
    .SYNOPSIS
        The processes of this repository's emulator that are running: `dotnet run --project
        <repo>/src/Hailuo.Emulator` and the emulator it starts (<repo>/src/Hailuo.Emulator/bin/...), both named
        by their command line. Emulators of other clones are left out.
    .PARAMETER ExcludeId
        Process ids to leave out, such as those already running before a test began.
    #>
    param([int[]] $ExcludeId = @())
    $project = Join-Path (Join-Path $script:RepoRoot 'src') 'Hailuo.Emulator'
    foreach ($process in Get-Process) {
        if ($ExcludeId -contains $process.Id) {
            continue
        }
        $commandLine = $null
        try {
            $commandLine = $process.CommandLine
        }
        catch {
            continue
        }
        if ($commandLine -and $commandLine.Contains($project)) {
            $process
        }
    }
}

function Write-SkipReason {
    <#
    .SYNOPSIS
        Prints, at discovery, one line saying why a block or test is skipped (Pester's -Skip prints no
        reason), and returns whether it is: use as -Skip:(Write-SkipReason 'name' $reason).
    #>
    param(
        [Parameter(Mandatory)] [string] $Name,
        [AllowEmptyString()] [AllowNull()] [string] $Reason
    )
    if ([string]::IsNullOrEmpty($Reason)) {
        return $false
    }
    Write-Host "Skipped: $Name, because $Reason" -ForegroundColor Yellow
    $true
}

function Get-SecretStoreTestPlan {
    <#
    .SYNOPSIS
        Whether the SecretManagement tests can run here, computed the same way at discovery and at run.
    .DESCRIPTION
        The vault test resets the current user's SecretStore (Reset-SecretStore), which deletes every
        secret in it. It is therefore skipped when another SecretStore vault is registered, unless
        HAILUO_TEST_ALLOW_SECRETSTORE_RESET is 1.
    #>
    $hasManagement = $null -ne (Get-Module -ListAvailable -Name Microsoft.PowerShell.SecretManagement)
    $hasStore = $null -ne (Get-Module -ListAvailable -Name Microsoft.PowerShell.SecretStore)
    $otherVaults = @()
    if ($hasManagement -and $hasStore) {
        $otherVaults = @(Microsoft.PowerShell.SecretManagement\Get-SecretVault -ErrorAction SilentlyContinue |
                Where-Object { $_.ModuleName -eq 'Microsoft.PowerShell.SecretStore' -and $_.Name -ne 'HailuoTest' })
    }
    $allowReset = $env:HAILUO_TEST_ALLOW_SECRETSTORE_RESET -eq '1'
    [pscustomobject]@{
        HasSecretManagement = $hasManagement
        HasSecretStore      = $hasStore
        OtherVaults         = @($otherVaults | ForEach-Object { $_.Name })
        CanUseSecretStore   = $hasManagement -and $hasStore -and ($otherVaults.Count -eq 0 -or $allowReset)
    }
}

Export-ModuleMember -Function @(
    'Get-HailuoRepoRoot', 'Get-HailuoManifestPath', 'Import-HailuoTestModule',
    'Start-TestEmulator', 'Stop-TestEmulator', 'Connect-TestEmulator', 'Disconnect-TestEmulator',
    'New-TestDirectory', 'Remove-TestDirectory', 'Enter-TestDataHome', 'Exit-TestDataHome',
    'Get-EmulatorStats', 'Get-EmulatorCount', 'Get-EmulatorJob', 'Test-Mp4Header',
    'ConvertTo-PSLiteral', 'Invoke-ChildPowerShell', 'Get-SecretStoreTestPlan',
    'Get-RepoEmulatorProcess', 'Write-SkipReason'
)
