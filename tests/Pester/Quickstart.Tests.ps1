# Pester 5: examples/quickstart.ps1, run as the README's first command runs it: in a PowerShell of its
# own, which builds what is missing, starts the emulator with dotnet run, and must leave playable MP4s and
# no emulator process behind. The videos go to a temp folder, so ./videos is not touched.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:RepoRoot = Get-HailuoRepoRoot
    # Stop-ProcessTree, for the AfterAll to stop what the quickstart may have left.
    Import-Module (Join-Path (Join-Path $RepoRoot 'tools') 'ChildProcess.psm1') -Force
    $script:Quickstart = Join-Path (Join-Path $RepoRoot 'examples') 'quickstart.ps1'
    $script:PromptsCsv = Join-Path (Join-Path $RepoRoot 'examples') 'prompts.csv'
    $script:Work = New-TestDirectory
    $script:OutputPath = Join-Path $Work 'videos'

    # The valid rows, as the module itself judges them: -WhatIf validates every row and sends nothing
    # (to an address where nothing listens), and each invalid row is an error. In a child PowerShell, so
    # that neither its connection nor its What-if lines reach this one.
    $count = Invoke-ChildPowerShell -Script @"
`$env:HAILUO_DATA_HOME = $(ConvertTo-PSLiteral (Join-Path $Work 'whatif'))
`$env:HAILUO_CONFIG_HOME = `$env:HAILUO_DATA_HOME
Import-Module $(ConvertTo-PSLiteral (Get-HailuoManifestPath))
Connect-Hailuo -Provider CoreToday -BaseUri 'http://127.0.0.1:9/coretoday/v1' -ApiKey (ConvertTo-SecureString 'whatif-key' -AsPlainText -Force) -NoPersist
`$rows = @(Import-Csv -LiteralPath $(ConvertTo-PSLiteral $PromptsCsv))
`$null = `$rows | New-HailuoVideo -WhatIf -ErrorAction SilentlyContinue -ErrorVariable rowErrors
"VALID-ROWS `$(`$rows.Count - @(`$rowErrors).Count)"
"@
    $script:ValidRows = [int] [regex]::Match($count.Output, 'VALID-ROWS (\d+)').Groups[1].Value

    # ./videos, as it was: the quickstart must not touch it when given -OutputPath.
    $script:DefaultVideos = Join-Path $RepoRoot 'videos'
    $script:DefaultVideosBefore = @(Get-ChildItem -LiteralPath $DefaultVideos -ErrorAction SilentlyContinue | ForEach-Object { "$($_.Name) $($_.LastWriteTimeUtc.Ticks)" })
    $script:DefaultVideosExisted = Test-Path -LiteralPath $DefaultVideos

    # Emulators of this repository already running (another suite's) are not the quickstart's.
    $before = @(Get-RepoEmulatorProcess | ForEach-Object { $_.Id })
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $script:Run = Invoke-ChildPowerShell -Script "& $(ConvertTo-PSLiteral $Quickstart) -OutputPath $(ConvertTo-PSLiteral $OutputPath)"
    $clock.Stop()
    Write-Host "The quickstart took $([math]::Round($clock.Elapsed.TotalSeconds, 1)) s in a child PowerShell."
    $script:Survivors = @(Get-RepoEmulatorProcess -ExcludeId $before)
    $script:Videos = @(Get-ChildItem -LiteralPath $OutputPath -Filter '*.mp4' -File -ErrorAction SilentlyContinue)
}

AfterAll {
    foreach ($survivor in @($script:Survivors)) {
        Stop-ProcessTree -Process $survivor
    }
    Remove-TestDirectory -Path $script:Work
}

Describe 'examples/quickstart.ps1 in a child PowerShell' {
    It 'exits 0' {
        $Run.ExitCode | Should -Be 0 -Because $Run.Output
    }

    It 'leaves one MP4 per valid row of examples/prompts.csv in -OutputPath' {
        $ValidRows | Should -BeGreaterThan 0 -Because 'examples/prompts.csv is the quickstart''s input'
        $Videos.Count | Should -Be $ValidRows -Because $Run.Output
        foreach ($video in $Videos) {
            Test-Mp4Header -Path $video.FullName | Should -BeTrue -Because "$($video.Name) must start with an ftyp box"
        }
    }

    It 'reports what it made, and the emulator created one paid job per valid row' {
        $Run.Output | Should -Match "$ValidRows video\(s\) in "
        $Run.Output | Should -Match "The emulator created $ValidRows job\(s\)"
    }

    It 'leaves no emulator process running: neither dotnet run nor the emulator it started' {
        $Run.Output | Should -Match 'Emulator: http://127\.0\.0\.1:\d+' -Because 'the quickstart starts an emulator of its own'
        $Survivors | ForEach-Object { "$($_.Id) $($_.CommandLine)" } | Should -BeNullOrEmpty
    }

    It 'leaves its emulator''s port closed' {
        $url = [regex]::Match($Run.Output, 'Emulator: (http://127\.0\.0\.1:\d+)').Groups[1].Value
        $url | Should -Not -BeNullOrEmpty
        { Invoke-RestMethod -Uri "$url/_emulator/stats?jobs=false" -TimeoutSec 5 -ErrorAction Stop } | Should -Throw
    }

    It 'leaves ./videos as it was' {
        Test-Path -LiteralPath $DefaultVideos | Should -Be $DefaultVideosExisted
        $after = @(Get-ChildItem -LiteralPath $DefaultVideos -ErrorAction SilentlyContinue | ForEach-Object { "$($_.Name) $($_.LastWriteTimeUtc.Ticks)" })
        $after | Should -Be $DefaultVideosBefore
    }
}
