# Pester 5: the main job on the emulator. A CSV goes through New-HailuoVideo | Wait-HailuoJob |
# Save-HailuoVideo and leaves valid MP4s; -WhatIf sends nothing; CSV cells bind as
# docs/architecture.md (CSV binding) says ("False" is false, an empty duration is 6); a bad row is an error of its own.
# Needs the built module (dotnet build src/Hailuo.PowerShell -c Release) and the .NET SDK.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:RepoRoot = Get-HailuoRepoRoot
    $script:ManifestPath = Get-HailuoManifestPath
    Import-HailuoTestModule
    $script:DataHome = Enter-TestDataHome
    $script:Work = New-TestDirectory
    $script:Emulator = Start-TestEmulator -TimeScale 0.01
    $script:Url = $script:Emulator.Url
    Connect-TestEmulator -Url $script:Url
}

AfterAll {
    Disconnect-TestEmulator
    Stop-TestEmulator -Emulator $script:Emulator
    Exit-TestDataHome -State $script:DataHome
    Remove-TestDirectory -Path $script:Work
}

Describe 'The CSV pipeline' {
    BeforeAll {
        $script:PromptsCsv = Join-Path (Join-Path $RepoRoot 'examples') 'prompts.csv'
        $script:Rows = @(Import-Csv -LiteralPath $PromptsCsv)
        $script:VideoFolder = Join-Path $Work 'videos'
        $script:CreatesBefore = Get-EmulatorCount -Url $Url -Counter creates
        $script:Files = @(Import-Csv -LiteralPath $PromptsCsv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path $VideoFolder)
    }

    It 'writes one file per row of examples/prompts.csv' {
        $Rows.Count | Should -BeGreaterOrEqual 6
        $Files.Count | Should -Be $Rows.Count
        $Files | ForEach-Object { $_ | Should -BeOfType ([System.IO.FileInfo]) }
    }

    It 'pays for each row exactly once' {
        (Get-EmulatorCount -Url $Url -Counter creates) - $CreatesBefore | Should -Be $Rows.Count
        Get-EmulatorCount -Url $Url -Counter duplicateCreates | Should -Be 0
    }

    It 'leaves valid MP4 files, and nothing else, in the folder' {
        $onDisk = @(Get-ChildItem -LiteralPath $VideoFolder -File)
        $onDisk.Count | Should -Be $Rows.Count
        foreach ($file in $onDisk) {
            $file.Extension | Should -Be '.mp4'
            $file.Length | Should -BeGreaterThan 1000
            Test-Mp4Header -Path $file.FullName | Should -BeTrue -Because "$($file.Name) must start with an MP4 'ftyp' box"
        }
    }

    It 'attaches each succeeded job to its file' {
        foreach ($file in $Files) {
            $file.PSObject.Properties['HailuoJob'] | Should -Not -BeNullOrEmpty
            "$($file.HailuoJob.Status)" | Should -Be 'Succeeded'
            $file.HailuoJob.Id | Should -Not -BeNullOrEmpty
            (Get-EmulatorJob -Url $Url -Id $file.HailuoJob.Id).status | Should -Be 'Succeeded'
        }
        @($Files | ForEach-Object { $_.HailuoJob.Id } | Sort-Object -Unique).Count | Should -Be $Rows.Count
    }

    It 'carries the extra CSV columns along as tags' {
        $scenes = @($Files | ForEach-Object { $_.HailuoJob.Tag['scene'] } | Sort-Object -Unique)
        ($scenes -join ',') | Should -Be ((@($Rows | ForEach-Object { $_.scene } | Sort-Object -Unique)) -join ',')
    }
}

Describe '-WhatIf' {
    It 'submits nothing and reports the 420 credits a video costs' {
        $creates = Get-EmulatorCount -Url $Url -Counter creates
        $requests = Get-EmulatorCount -Url $Url -Counter createRequests
        # What-if messages go to the host, which no redirection in this process can read: run a child.
        $child = @(
            "`$ErrorActionPreference = 'Stop'"
            "`$InformationPreference = 'Continue'"
            "Import-Module $(ConvertTo-PSLiteral $ManifestPath)"
            "Connect-Hailuo -Provider CoreToday -BaseUri $(ConvertTo-PSLiteral "$Url/coretoday/v1") -ApiKey (ConvertTo-SecureString 'emulator-key' -AsPlainText -Force) -NoPersist"
            "New-HailuoVideo -Prompt 'WhatIf rehearsal: a kite over a windy hill' -WhatIf *>&1"
        ) -join "`n"
        $result = Invoke-ChildPowerShell -Script $child
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match 'What if' -Because $result.Output
        $result.Output | Should -Match '\b420\b' -Because 'the cost of a core.today video is reported'
        $result.Output | Should -Match '(?i)credit'
        Get-EmulatorCount -Url $Url -Counter creates | Should -Be $creates
        Get-EmulatorCount -Url $Url -Counter createRequests | Should -Be $requests
    }

    It 'writes no job and sends nothing for a whole CSV' {
        $creates = Get-EmulatorCount -Url $Url -Counter createRequests
        $jobs = @(Import-Csv -LiteralPath (Join-Path (Join-Path $RepoRoot 'examples') 'prompts.csv') | New-HailuoVideo -WhatIf -Force)
        $jobs.Count | Should -Be 0
        Get-EmulatorCount -Url $Url -Counter createRequests | Should -Be $creates
    }
}

Describe '-Debug in a PowerShell that cannot ask' {
    It 'runs the whole pipeline and shows the details, instead of stopping to ask about each line' {
        # pwsh -NonInteractive (Invoke-ChildPowerShell) refuses every prompt, as a runbook's host does.
        $folder = Join-Path $Work 'debug-videos'
        $child = @(
            "`$ErrorActionPreference = 'Stop'"
            "Import-Module $(ConvertTo-PSLiteral $ManifestPath)"
            "Connect-Hailuo -Provider CoreToday -BaseUri $(ConvertTo-PSLiteral "$Url/coretoday/v1") -ApiKey (ConvertTo-SecureString 'emulator-key' -AsPlainText -Force) -NoPersist"
            "New-HailuoVideo -Prompt 'Debug rehearsal: a lantern on a pier' -Debug | Wait-HailuoJob -Debug | Save-HailuoVideo -Path $(ConvertTo-PSLiteral $folder) -Debug | ForEach-Object { 'saved ' + `$_.Name }"
        ) -join "`n"
        $result = Invoke-ChildPowerShell -Script $child
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Not -Match 'NonInteractive mode' -Because $result.Output
        $result.Output | Should -Match 'saved 0001-debug-rehearsal'
        $result.Output | Should -Match 'DEBUG: .*job_' -Because 'the details go to the debug stream'
    }
}

Describe 'CSV cells' {
    BeforeAll {
        $script:BindingCsv = Join-Path $Work 'binding.csv'
        Set-Content -LiteralPath $BindingCsv -Encoding UTF8 -Value @(
            'prompt,duration,resolution,prompt_optimizer,scene'
            '"Binding test: a red kite over green hills, optimizer off",6,768p,False,hills'
            '"Binding test: a blue kite over a grey sea, duration left empty",,768p,True,sea'
        )
        $script:BindingJobs = @(Import-Csv -LiteralPath $BindingCsv | New-HailuoVideo | Wait-HailuoJob)
        $script:Hills = $BindingJobs | Where-Object { $_.Tag['scene'] -eq 'hills' }
        $script:Sea = $BindingJobs | Where-Object { $_.Tag['scene'] -eq 'sea' }
    }

    It 'submits both rows, and both succeed' {
        $BindingJobs.Count | Should -Be 2
        $BindingJobs | ForEach-Object { "$($_.Status)" | Should -Be 'Succeeded' }
        Get-EmulatorJob -Url $Url -Id $Hills.Id | Should -Not -BeNullOrEmpty
        Get-EmulatorJob -Url $Url -Id $Sea.Id | Should -Not -BeNullOrEmpty
    }

    It 'reads prompt_optimizer "False" as false, not as a non-empty string' {
        $Hills.PromptOptimizer | Should -BeOfType ([bool])
        $Hills.PromptOptimizer | Should -Be $false
        $Sea.PromptOptimizer | Should -Be $true
    }

    It 'reads an empty duration as the default 6 seconds, never 0' {
        $Sea.Duration | Should -Not -Be 0
        $Sea.Duration | Should -BeIn @($null, 6)
        # The emulator serves the 6-second clip for a 6-second job: the saved file is exactly that clip.
        $file = $Sea | Save-HailuoVideo -Path (Join-Path $Work 'binding') -FileNameTemplate '{duration}s-{scene}'
        $file.Name | Should -Be '6s-sea.mp4'
        $clip = Join-Path $RepoRoot 'src/Hailuo.Emulator/Assets/hailuo-768p-6s.mp4'
        $file.Length | Should -Be (Get-Item -LiteralPath $clip).Length
    }

    It 'writes the engine''s debug lines to the debug stream, not the verbose one' {
        $folder = Join-Path $Work 'debug-stream'
        $pattern = '(downloaded|kept) .+ in \d+ request\(s\)'
        $records = @($Sea | Save-HailuoVideo -Path $folder -Debug -Verbose 5>&1 4>&1 -ErrorAction Stop)
        @($records | Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -match $pattern }).Count | Should -Be 1
        @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match $pattern }).Count | Should -Be 0
    }

    It 'exposes the extra columns as properties, so Export-Csv writes a file New-HailuoVideo can read again' {
        $Hills.scene | Should -Be 'hills'
        $exported = Join-Path $Work 'exported.csv'
        $BindingJobs | Export-Csv -LiteralPath $exported -NoTypeInformation
        $header = (Get-Content -LiteralPath $exported -TotalCount 1)
        $header | Should -Match '"scene"'
        $header | Should -Match '"Prompt"'
    }
}

Describe 'A bad row' {
    BeforeAll {
        $script:BadCsv = Join-Path $Work 'bad-row.csv'
        Set-Content -LiteralPath $BadCsv -Encoding UTF8 -Value @(
            'prompt,duration,resolution,scene'
            '"Bad-row test: first row, a lantern on a quiet pier",6,768p,one'
            ',6,768p,two'
            '"Bad-row test: third row, fireflies over a meadow",6,768p,three'
        )
        $script:CreatesBefore = Get-EmulatorCount -Url $Url -Counter creates
        $rowErrors = $null
        $jobs = @(Import-Csv -LiteralPath $BadCsv | New-HailuoVideo -ErrorVariable rowErrors -ErrorAction SilentlyContinue)
        $script:RowErrors = @($rowErrors)
        $script:Jobs = $jobs
    }

    It 'is one non-terminating error' {
        @($RowErrors).Count | Should -Be 1
        $RowErrors[0] | Should -BeOfType ([System.Management.Automation.ErrorRecord])
    }

    It 'names the row and the missing prompt' {
        $message = "$($RowErrors[0])"
        $message | Should -Match '(?i)\brow\s*#?\s*2\b' -Because "the error should say which row failed: $message"
        $message | Should -Match '(?i)prompt'
    }

    It 'lets the other rows go on' {
        $Jobs.Count | Should -Be 2
        ((@($Jobs | ForEach-Object { $_.Tag['scene'] })) -join ',') | Should -Be 'one,three'
        ((@($Jobs | ForEach-Object { $_.Index })) -join ',') | Should -Be '1,3'
        (Get-EmulatorCount -Url $Url -Counter creates) - $CreatesBefore | Should -Be 2
        $Jobs | Wait-HailuoJob | ForEach-Object { "$($_.Status)" | Should -Be 'Succeeded' }
    }
}
