<#
    The child processes that examples/quickstart.ps1, build.ps1 and the Pester suite
    (tests/Pester/TestHelpers.psm1) start: the offline emulator, and PowerShell itself.
    Windows PowerShell 5.1 and PowerShell 7.
#>
Set-StrictMode -Version 3.0

function Read-SharedText {
    <# Reads a file another process still writes to (the emulator's redirected output). #>
    param([Parameter(Mandatory)] [string] $Path)
    if (-not (Test-Path -LiteralPath $Path)) {
        return ''
    }
    $share = [System.IO.FileShare]::ReadWrite -bor [System.IO.FileShare]::Delete
    $stream = [System.IO.FileStream]::new($Path, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read, $share)
    try {
        return [System.IO.StreamReader]::new($stream).ReadToEnd()
    }
    finally {
        $stream.Dispose()
    }
}

function Stop-ProcessTree {
    <#
    .SYNOPSIS
        Stops a process and every process it started: dotnet run starts the emulator as its child, so
        stopping dotnet alone would leave the emulator running.
    .DESCRIPTION
        On Linux and macOS it first sends SIGTERM: dotnet run passes it on to the emulator, which shuts
        down, and dotnet run then collects it and exits. Killing the tree instead kills dotnet run first,
        and the orphaned emulator lingers as a zombie until the system's init collects it. What has not
        exited after the grace period is killed, tree and all.
    #>
    param(
        [System.Diagnostics.Process] $Process,
        [int] $GraceSeconds = 10
    )
    if ($null -eq $Process) {
        return
    }
    try {
        if ($Process.HasExited) {
            return
        }
        if ($PSVersionTable.PSEdition -eq 'Core' -and -not $IsWindows) {
            $kill = Get-Command -Name kill -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
            if ($null -ne $kill) {
                & $kill.Source -s TERM $Process.Id 2>&1 | Out-Null
                if ($Process.WaitForExit($GraceSeconds * 1000)) {
                    return
                }
            }
        }
        if ($PSVersionTable.PSEdition -eq 'Core') {
            $Process.Kill($true)
        }
        else {
            & taskkill.exe /PID $Process.Id /T /F 2>&1 | Out-Null
        }
        $null = $Process.WaitForExit(10000)
    }
    catch {
        Write-Warning "Could not stop process $($Process.Id): $($_.Exception.Message)"
    }
}

function Get-PowerShellLauncher {
    <#
    .SYNOPSIS
        How to start a new process of the PowerShell running this script: { FilePath, Arguments }.
    .DESCRIPTION
        PowerShell installed as a dotnet tool runs as `dotnet pwsh.dll`, so the current process's path
        is dotnet itself; the child then needs pwsh.dll from $PSHOME as its first argument.
    #>
    $processPath = (Get-Process -Id $PID).Path
    $pwshDll = Join-Path $PSHOME 'pwsh.dll'
    if ([System.IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet' -and (Test-Path -LiteralPath $pwshDll)) {
        return [pscustomobject]@{ FilePath = $processPath; Arguments = @($pwshDll) }
    }
    [pscustomobject]@{ FilePath = $processPath; Arguments = @() }
}

function Start-EmulatorProcess {
    <#
    .SYNOPSIS
        Starts the emulator on a free loopback port and returns { Process, Url, LogDirectory }.
    .PARAMETER RepoRoot
        The repository root (the folder that holds Hailuo.sln).
    .PARAMETER TimeScale
        Real seconds per emulated second: 0.01 makes a 2-minute job take 1.2 s.
    .PARAMETER ExtraArgument
        More emulator options, such as '--api-key', 'only-this-key'.
    .PARAMETER NoBuild
        Run what is built (the caller built it), so that the timeout covers starting, not compiling.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $RepoRoot,
        [double] $TimeScale = 0.01,
        [string[]] $ExtraArgument = @(),
        [int] $TimeoutSeconds = 300,
        [switch] $NoBuild
    )
    $logDirectory = Join-Path ([System.IO.Path]::GetTempPath()) ('hailuo-emulator-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $logDirectory | Out-Null
    $stdout = Join-Path $logDirectory 'stdout.txt'
    $stderr = Join-Path $logDirectory 'stderr.txt'
    $project = Join-Path (Join-Path $RepoRoot 'src') 'Hailuo.Emulator'
    $scale = $TimeScale.ToString([System.Globalization.CultureInfo]::InvariantCulture)
    $build = if ($NoBuild) { ' --no-build' } else { '' }
    # One argument string, quoted by hand: Start-Process does not quote array elements that hold spaces.
    $extra = ($ExtraArgument | ForEach-Object { '"' + $_.Replace('"', '\"') + '"' }) -join ' '
    $arguments = "run --project `"$project`" -c Release$build -- --urls http://127.0.0.1:0 --time-scale $scale $extra"
    Write-Verbose "dotnet $arguments"
    $process = Start-Process -FilePath 'dotnet' -ArgumentList $arguments -WorkingDirectory $RepoRoot `
        -RedirectStandardOutput $stdout -RedirectStandardError $stderr -NoNewWindow -PassThru

    $deadline = (Get-Date).AddSeconds($TimeoutSeconds)
    $text = ''
    while ((Get-Date) -lt $deadline) {
        $text = Read-SharedText $stdout
        # Port 0 picks a free port; the emulator prints the address it got.
        if ($text -match 'Hailuo emulator listening on (http://\S+)') {
            return [pscustomobject]@{
                Process      = $process
                Url          = $Matches[1].TrimEnd('/')
                LogDirectory = $logDirectory
            }
        }
        if ($process.HasExited) {
            $message = "The emulator stopped before it started listening.`n$text`n$(Read-SharedText $stderr)"
            Remove-Item -LiteralPath $logDirectory -Recurse -Force -ErrorAction SilentlyContinue
            throw $message
        }
        Start-Sleep -Milliseconds 200
    }
    Stop-ProcessTree $process
    $message = "The emulator did not start within $TimeoutSeconds seconds.`n$text`n$(Read-SharedText $stderr)"
    Remove-Item -LiteralPath $logDirectory -Recurse -Force -ErrorAction SilentlyContinue
    throw $message
}

function Stop-EmulatorProcess {
    <# Stops an emulator from Start-EmulatorProcess and removes its logs; a $null (its start failed) is ignored. #>
    param($Emulator)
    if ($null -eq $Emulator) {
        return
    }
    Stop-ProcessTree $Emulator.Process
    Remove-Item -LiteralPath $Emulator.LogDirectory -Recurse -Force -ErrorAction SilentlyContinue
}

Export-ModuleMember -Function @('Read-SharedText', 'Stop-ProcessTree', 'Get-PowerShellLauncher', 'Start-EmulatorProcess', 'Stop-EmulatorProcess')
