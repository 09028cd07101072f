# Pester 5: keys from SecretManagement. Two branches, chosen at discovery by what is installed:
# - with Microsoft.PowerShell.SecretManagement and Microsoft.PowerShell.SecretStore, a vault named
#   HailuoTest holds the key, and one video is made with it against an emulator that accepts only that
#   key. CAUTION: this resets the current user's SecretStore (Reset-SecretStore deletes every secret in
#   it), so it is skipped when another SecretStore vault is registered, unless
#   $env:HAILUO_TEST_ALLOW_SECRETSTORE_RESET = '1'.
# - without SecretManagement, Connect-Hailuo -Vault fails with an error that says how to install it.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $plan = Get-SecretStoreTestPlan
    $hasSecretManagement = $plan.HasSecretManagement
    $canUseSecretStore = $plan.CanUseSecretStore
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-HailuoTestModule
    $script:DataHome = Enter-TestDataHome
    $script:Work = New-TestDirectory
}

AfterAll {
    Disconnect-TestEmulator
    Exit-TestDataHome -State $script:DataHome
    Remove-TestDirectory -Path $script:Work
}

Describe 'Connect-Hailuo -Vault with a SecretStore vault' -Skip:(-not $canUseSecretStore) {
    BeforeAll {
        $script:VaultName = 'HailuoTest'
        $script:SecretName = 'HailuoTestCoreTodayKey'
        # A key the emulator below accepts alone: a video made proves the vault's key was used.
        $script:VaultKey = 'vault-key-' + [guid]::NewGuid().ToString('N')

        Import-Module Microsoft.PowerShell.SecretManagement -ErrorAction Stop
        Import-Module Microsoft.PowerShell.SecretStore -ErrorAction Stop
        Register-SecretVault -Name $VaultName -ModuleName Microsoft.PowerShell.SecretStore -AllowClobber -ErrorAction Stop
        Reset-SecretStore -Authentication None -Interaction None -Force -Confirm:$false -ErrorAction Stop
        Set-Secret -Vault $VaultName -Name $SecretName -Secret $VaultKey -ErrorAction Stop

        $script:Emulator = Start-TestEmulator -TimeScale 0.01 -ExtraArgument '--api-key', $VaultKey
        $script:Url = $script:Emulator.Url
    }

    AfterAll {
        Disconnect-TestEmulator
        Stop-TestEmulator -Emulator $script:Emulator
        Remove-Secret -Vault $VaultName -Name $SecretName -ErrorAction SilentlyContinue
        Unregister-SecretVault -Name $VaultName -ErrorAction SilentlyContinue
    }

    It 'connects with the secret and never shows the key' {
        $connection = Connect-Hailuo -Provider CoreToday -BaseUri "$Url/coretoday/v1" -Vault $VaultName -SecretName $SecretName -NoPersist -PassThru -ErrorAction Stop
        $connection | Should -Not -BeNullOrEmpty
        ($connection | Format-List * | Out-String) | Should -Not -Match ([regex]::Escape($VaultKey))
        (Get-HailuoConnection | Format-List * | Out-String) | Should -Match "$VaultName|SecretManagement" -Because 'the connection names where its key comes from'
    }

    It 'makes a video with the key from the vault' {
        $folder = Join-Path $Work 'vault'
        $files = @(New-HailuoVideo -Prompt 'Vault test: a single candle flickering in a dark room' | Wait-HailuoJob | Save-HailuoVideo -Path $folder)
        $files.Count | Should -Be 1
        Test-Mp4Header -Path $files[0].FullName | Should -BeTrue
        Get-EmulatorCount -Url $Url -Counter authFailures | Should -Be 0
        Get-EmulatorCount -Url $Url -Counter creates | Should -Be 1
    }

    It 'is refused by the same emulator with any other key' {
        Connect-TestEmulator -Url $Url -Key 'not-the-vault-key'
        { New-HailuoVideo -Prompt 'Vault test: this one must be refused' -ErrorAction Stop } | Should -Throw
        Get-EmulatorCount -Url $Url -Counter creates | Should -Be 1
        Get-EmulatorCount -Url $Url -Counter authFailures | Should -BeGreaterThan 0
    }
}

Describe 'Connect-Hailuo -Vault without SecretManagement' -Skip:$hasSecretManagement {
    It 'fails with an error that says to Install-Module Microsoft.PowerShell.SecretManagement' {
        { Connect-Hailuo -Provider CoreToday -Vault HailuoTest -SecretName HailuoTestCoreTodayKey -NoPersist -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*Install-Module Microsoft.PowerShell.SecretManagement*'
    }
}
