# Pester 5: Stop-HailuoJob cancels. The emulator runs at --time-scale 1 here, so a job takes two real
# minutes and is certainly still queued or running when it is cancelled.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-HailuoTestModule
    $script:DataHome = Enter-TestDataHome
    $script:Emulator = Start-TestEmulator -TimeScale 1
    $script:Url = $script:Emulator.Url
    Connect-TestEmulator -Url $script:Url
}

AfterAll {
    Disconnect-TestEmulator
    Stop-TestEmulator -Emulator $script:Emulator
    Exit-TestDataHome -State $script:DataHome
}

Describe 'Stop-HailuoJob' {
    It 'cancels a running job, and -PassThru writes it with its new status' {
        $job = New-HailuoVideo -Prompt 'Stop test: a slow sunrise over a frozen lake'
        "$($job.Status)" | Should -BeIn @('Queued', 'Running')
        $cancels = Get-EmulatorCount -Url $Url -Counter cancels

        $stopped = @($job | Stop-HailuoJob -PassThru -Confirm:$false)

        $stopped.Count | Should -Be 1
        $stopped[0].Id | Should -Be $job.Id
        "$($stopped[0].Status)" | Should -Be 'Canceled'
        (Get-EmulatorCount -Url $Url -Counter cancels) - $cancels | Should -Be 1
        (Get-EmulatorJob -Url $Url -Id $job.Id).status | Should -Be 'Canceled'
    }

    It 'writes nothing without -PassThru, and the job stays canceled' {
        $job = New-HailuoVideo -Prompt 'Stop test: rain on a tin roof, seen from below'

        $output = @($job | Stop-HailuoJob -Confirm:$false)

        $output.Count | Should -Be 0
        (Get-EmulatorJob -Url $Url -Id $job.Id).status | Should -Be 'Canceled'
        "$((Get-HailuoJob -Id $job.Id).Status)" | Should -Be 'Canceled'
    }

    It 'cancels by id from the pipeline' {
        $job = New-HailuoVideo -Prompt 'Stop test: a lighthouse beam sweeping through fog'

        $stopped = @([pscustomobject]@{ job_id = $job.Id } | Stop-HailuoJob -PassThru -Confirm:$false)

        "$($stopped[0].Status)" | Should -Be 'Canceled'
        (Get-EmulatorJob -Url $Url -Id $job.Id).status | Should -Be 'Canceled'
    }

    It 'cancels nothing with -WhatIf' {
        $job = New-HailuoVideo -Prompt 'Stop test: a paper lantern drifting up into the night'
        $cancels = Get-EmulatorCount -Url $Url -Counter cancels

        $output = @($job | Stop-HailuoJob -PassThru -WhatIf)

        $output.Count | Should -Be 0
        Get-EmulatorCount -Url $Url -Counter cancels | Should -Be $cancels
        (Get-EmulatorJob -Url $Url -Id $job.Id).status | Should -BeIn @('Queued', 'Running')
        # Clean up, so no job is still being tracked when the emulator stops.
        $job | Stop-HailuoJob -Confirm:$false
    }
}
