# Pester 5: the ledger and never paying twice. Running the same CSV again reuses every job (and the
# emulator creates nothing more); -Force pays again on purpose. The ledger lives in this file's own
# HAILUO_DATA_HOME.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:RepoRoot = Get-HailuoRepoRoot
    Import-HailuoTestModule
    $script:DataHome = Enter-TestDataHome
    $script:Work = New-TestDirectory
    $script:Emulator = Start-TestEmulator -TimeScale 0.01
    $script:Url = $script:Emulator.Url
    Connect-TestEmulator -Url $script:Url

    $script:LedgerCsv = Join-Path $script:Work 'ledger.csv'
    Set-Content -LiteralPath $script:LedgerCsv -Encoding UTF8 -Value @(
        'prompt,duration,resolution,prompt_optimizer,scene'
        '"Ledger test: a tram crossing a bridge in the fog",6,768p,True,ledger'
        '"Ledger test: a heron standing in shallow water at dawn",10,768p,False,ledger'
        '"Ledger test: city lights seen from a night train window",6,1080p,,ledger'
    )
    $script:RowCount = 3
}

AfterAll {
    Disconnect-TestEmulator
    Stop-TestEmulator -Emulator $script:Emulator
    Exit-TestDataHome -State $script:DataHome
    Remove-TestDirectory -Path $script:Work
}

Describe 'Running the same CSV twice' {
    BeforeAll {
        $script:CreatesBefore = Get-EmulatorCount -Url $Url -Counter creates
        $script:VideoFolder = Join-Path $Work 'videos'
        $script:FirstFiles = @(Import-Csv -LiteralPath $LedgerCsv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path $VideoFolder)
        $script:FirstIds = @($FirstFiles | ForEach-Object { $_.HailuoJob.Id } | Sort-Object)
        $script:CreatesAfterFirst = Get-EmulatorCount -Url $Url -Counter creates
    }

    It 'the first run submits and saves every row' {
        $FirstFiles.Count | Should -Be $RowCount
        $CreatesAfterFirst - $CreatesBefore | Should -Be $RowCount
        $FirstFiles | ForEach-Object { $_.HailuoJob.Reused | Should -BeFalse }
    }

    It 'records the jobs in the ledger under HAILUO_DATA_HOME' {
        $ledger = Join-Path $DataHome.Path 'ledger.jsonl'
        Test-Path -LiteralPath $ledger | Should -BeTrue
        $text = Get-Content -LiteralPath $ledger -Raw
        foreach ($id in $FirstIds) {
            $text | Should -Match ([regex]::Escape($id))
        }
        $text | Should -Not -Match 'emulator-key' -Because 'the ledger never holds a key'
    }

    It 'the second run reuses every job and the emulator creates nothing more' {
        $second = @(Import-Csv -LiteralPath $LedgerCsv | New-HailuoVideo)
        $second.Count | Should -Be $RowCount
        $second | ForEach-Object { $_.Reused | Should -BeTrue -Because "$($_.Id) was made by the first run" }
        (@($second | ForEach-Object { $_.Id } | Sort-Object) -join ',') | Should -Be ($FirstIds -join ',')
        Get-EmulatorCount -Url $Url -Counter creates | Should -Be $CreatesAfterFirst
        Get-EmulatorCount -Url $Url -Counter duplicateCreates | Should -Be 0
    }

    It 'the whole pipeline again pays nothing and keeps the saved files' {
        $again = @(Import-Csv -LiteralPath $LedgerCsv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path $VideoFolder)
        $again.Count | Should -Be $RowCount
        (@($again | ForEach-Object { $_.Name } | Sort-Object) -join ',') | Should -Be (@($FirstFiles | ForEach-Object { $_.Name } | Sort-Object) -join ',')
        @(Get-ChildItem -LiteralPath $VideoFolder -File).Count | Should -Be $RowCount
        Get-EmulatorCount -Url $Url -Counter creates | Should -Be $CreatesAfterFirst
    }

    It 'Get-HailuoJob lists them from the ledger, filtered by tag' {
        $listed = @(Get-HailuoJob -Tag @{ scene = 'ledger' })
        foreach ($id in $FirstIds) {
            @($listed | ForEach-Object { $_.Id }) | Should -Contain $id
        }
        Get-EmulatorCount -Url $Url -Counter creates | Should -Be $CreatesAfterFirst
    }

    It '-Force submits every row again, as new paid jobs' {
        $forced = @(Import-Csv -LiteralPath $LedgerCsv | New-HailuoVideo -Force)
        $forced.Count | Should -Be $RowCount
        foreach ($job in $forced) {
            $job.Reused | Should -BeFalse
            $FirstIds | Should -Not -Contain $job.Id
        }
        (Get-EmulatorCount -Url $Url -Counter creates) - $CreatesAfterFirst | Should -Be $RowCount
        # Let them finish, so no job is still being tracked when the emulator stops.
        $forced | Wait-HailuoJob | ForEach-Object { "$($_.Status)" | Should -Be 'Succeeded' }
    }
}
