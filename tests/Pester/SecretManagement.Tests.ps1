# Pester 5: keys from SecretManagement vaults. What runs is chosen at discovery by what is installed, and
# every skipped block prints one line saying why:
# - with Microsoft.PowerShell.SecretManagement and Microsoft.PowerShell.SecretStore, a SecretStore vault
#   named HailuoTest holds the key. CAUTION: this resets the current user's SecretStore (Reset-SecretStore
#   deletes every secret in it), so it is skipped when another SecretStore vault is registered, unless
#   $env:HAILUO_TEST_ALLOW_SECRETSTORE_RESET = '1'.
# - without SecretManagement, Connect-Hailuo -Vault fails with an error that says how to install it.
# - the vault extension tests/Pester/TestVault (secrets in memory) is registered with Register-SecretVault
#   and read through SecretManagement where it is installed; where it is not (CI), through a minimal
#   Get-Secret front defined below. Either way Connect-Hailuo's own vault code runs: a string, SecureString
#   or PSCredential secret makes a video against an emulator that accepts only that key, and an empty, a
#   wrong-typed or a missing secret stops it.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $plan = Get-SecretStoreTestPlan
    $hasSecretManagement = $plan.HasSecretManagement
    $secretStoreSkip = if (-not ($plan.HasSecretManagement -and $plan.HasSecretStore)) {
        'Microsoft.PowerShell.SecretManagement and Microsoft.PowerShell.SecretStore are not installed here'
    }
    elseif (-not $plan.CanUseSecretStore) {
        "it would reset this user's SecretStore, which holds the vault(s) $($plan.OtherVaults -join ', '); set HAILUO_TEST_ALLOW_SECRETSTORE_RESET=1 to allow it"
    }
    $vaultFronts = @(
        @{
            Front      = 'SecretManagement'
            Title      = 'SecretManagement (Register-SecretVault)'
            SkipReason = if (-not $hasSecretManagement) { 'Microsoft.PowerShell.SecretManagement is not installed here; the same tests run through the minimal Get-Secret front' }
        }
        @{
            Front      = 'MinimalFront'
            Title      = 'a minimal Get-Secret front (no SecretManagement here)'
            SkipReason = if ($hasSecretManagement) { 'SecretManagement is installed here, and the same tests run through it' }
        }
    )
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

Describe 'Connect-Hailuo -Vault with a SecretStore vault' -Skip:(Write-SkipReason 'Connect-Hailuo -Vault with a SecretStore vault' $secretStoreSkip) {
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

Describe 'Connect-Hailuo -Vault without SecretManagement' -Skip:(Write-SkipReason 'Connect-Hailuo -Vault without SecretManagement' $(if ($hasSecretManagement) { 'SecretManagement is installed here, so its absence cannot be tested' })) {
    It 'fails with an error that says to Install-Module Microsoft.PowerShell.SecretManagement' {
        { Connect-Hailuo -Provider CoreToday -Vault HailuoTest -SecretName HailuoTestCoreTodayKey -NoPersist -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*Install-Module Microsoft.PowerShell.SecretManagement*'
    }
}

foreach ($vaultFront in $vaultFronts) {
    $blockName = "Connect-Hailuo -Vault with the TestVault extension, through $($vaultFront.Title)"
    $blockSkipped = Write-SkipReason $blockName $vaultFront.SkipReason

    Describe $blockName -Skip:$blockSkipped -ForEach @(@{ Front = $vaultFront.Front }) {
        BeforeAll {
            $script:VaultName = 'HailuoTestVault' + [guid]::NewGuid().ToString('N').Substring(0, 8)
            # The only key the emulator below accepts: a video made proves the vault's key was used.
            $script:VaultKey = 'vault-key-' + [guid]::NewGuid().ToString('N')
            $vaultModule = Join-Path $PSScriptRoot 'TestVault'

            # The vault is filled through the extension's own Set-Secret, as SecretManagement's Set-Secret would
            # fill it, except that this way it can also hold an empty string, which Set-Secret refuses to pass.
            # -Prefix keeps its five functions from hiding SecretManagement's cmdlets of the same names.
            $script:Extension = Import-Module ([System.IO.Path]::Combine($vaultModule, 'TestVault.Extension', 'TestVault.Extension.psd1')) -Prefix TestVault -PassThru -Force
            $script:Secrets = [ordered]@{
                HailuoKeyString       = $VaultKey
                HailuoKeySecureString = ConvertTo-SecureString $VaultKey -AsPlainText -Force
                HailuoKeyCredential   = [pscredential]::new('coretoday', (ConvertTo-SecureString $VaultKey -AsPlainText -Force))
                HailuoKeyEmpty        = ''
                HailuoKeyHashtable    = @{ key = $VaultKey }
            }
            foreach ($secret in $Secrets.GetEnumerator()) {
                & $Extension { param($Name, $Secret, $Vault) Set-Secret -Name $Name -Secret $Secret -VaultName $Vault } $secret.Key $secret.Value $VaultName
            }

            if ($Front -eq 'SecretManagement') {
                Import-Module Microsoft.PowerShell.SecretManagement -ErrorAction Stop
                Register-SecretVault -Name $VaultName -ModuleName $vaultModule -ErrorAction Stop
            }
            else {
                # The minimal Get-Secret front that SecretManagement would be, for machines without it (CI): it
                # calls the vault extension's Get-Secret with -Name and -VaultName, and reports a secret the
                # vault lacks as SecretManagement does. Unlike SecretManagement, it hands a string back as a
                # string (SecretManagement makes it a SecureString unless -AsPlainText), so Connect-Hailuo's
                # string branch runs too.
                function global:Get-Secret {
                    [CmdletBinding()]
                    param([string] $Name, [string] $Vault)
                    $secret = & (Get-Module TestVault.Extension) { param($Name, $Vault) Get-Secret -Name $Name -VaultName $Vault } $Name $Vault
                    if ($null -eq $secret) {
                        Write-Error -Message "The secret $Name was not found." -Category ObjectNotFound -ErrorId 'GetSecretNotFound'
                        return
                    }
                    Write-Output $secret -NoEnumerate
                }
            }

            $script:Emulator = Start-TestEmulator -TimeScale 0.01 -ExtraArgument '--api-key', $VaultKey
            $script:Url = $script:Emulator.Url
            # The key in the encodings a leak could take.
            $script:KeyForms = @(
                $VaultKey
                [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($VaultKey))
                [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($VaultKey))
            )
        }

        AfterAll {
            Disconnect-TestEmulator
            Stop-TestEmulator -Emulator $script:Emulator
            if ($Front -eq 'SecretManagement') {
                Unregister-SecretVault -Name $VaultName -ErrorAction SilentlyContinue
            }
            else {
                Remove-Item -Path Function:\global:Get-Secret -ErrorAction SilentlyContinue
            }
            foreach ($name in @($Secrets.Keys)) {
                & $Extension { param($Name, $Vault) Remove-Secret -Name $Name -VaultName $Vault } $name $VaultName
            }
            Remove-Module -ModuleInfo $Extension -Force -ErrorAction SilentlyContinue
        }

        It 'reads a <Type> secret, connects, makes a video with its key, and shows the key in no stream' -TestCases @(
            @{ Type = 'string'; SecretName = 'HailuoKeyString' }
            @{ Type = 'SecureString'; SecretName = 'HailuoKeySecureString' }
            @{ Type = 'PSCredential'; SecretName = 'HailuoKeyCredential' }
        ) {
            $creates = Get-EmulatorCount -Url $Url -Counter creates
            $folder = Join-Path $Work $SecretName
            $everything = & {
                $VerbosePreference = 'Continue'
                $DebugPreference = 'Continue'
                $InformationPreference = 'Continue'
                Connect-Hailuo -Provider CoreToday -BaseUri "$Url/coretoday/v1" -Vault $VaultName -SecretName $SecretName -NoPersist -PassThru -ErrorAction Stop | Format-List *
                Get-HailuoConnection | Format-List *
                New-HailuoVideo -Prompt "Vault test ($Type): a single candle flickering in a dark room" | Wait-HailuoJob | Save-HailuoVideo -Path $folder
            } *>&1
            $text = $everything | Out-String -Width 4096
            foreach ($form in $KeyForms) {
                $text | Should -Not -Match ([regex]::Escape($form))
            }
            $text | Should -Match ([regex]::Escape($VaultName)) -Because 'the connection names the vault its key comes from'

            $files = @($everything | Where-Object { $_ -is [System.IO.FileInfo] })
            $files.Count | Should -Be 1 -Because $text
            Test-Mp4Header -Path $files[0].FullName | Should -BeTrue
            Get-EmulatorCount -Url $Url -Counter creates | Should -Be ($creates + 1)
            Get-EmulatorCount -Url $Url -Counter authFailures | Should -Be 0
        }

        It 'stops with a clear error naming a secret that is <Case>, and shows no key' -TestCases @(
            @{ Case = 'empty'; SecretName = 'HailuoKeyEmpty' }
            @{ Case = 'a hashtable, not a key'; SecretName = 'HailuoKeyHashtable' }
        ) {
            # 'Continue': Should -Throw sees only a terminating error then.
            $failure = { $ErrorActionPreference = 'Continue'; Connect-Hailuo -Provider CoreToday -BaseUri "$Url/coretoday/v1" -Vault $VaultName -SecretName $SecretName -NoPersist } |
                Should -Throw -PassThru
            $failure.FullyQualifiedErrorId | Should -BeLike 'Hailuo.SecretUnreadable,*'
            $failure.Exception.Message | Should -Match ([regex]::Escape($SecretName))
            $failure.Exception.Message | Should -Match ([regex]::Escape($VaultName))
            $text = ($failure | Out-String -Width 4096) + $failure.Exception.ToString()
            foreach ($form in $KeyForms) {
                $text | Should -Not -Match ([regex]::Escape($form))
            }
        }

        It 'does not connect when the vault has no such secret' {
            { $ErrorActionPreference = 'Continue'; Connect-Hailuo -Provider CoreToday -BaseUri "$Url/coretoday/v1" -Vault $VaultName -SecretName 'HailuoNoSuchSecret' -NoPersist } |
                Should -Throw
        }

        It 'stops with its own clear error naming the secret and the vault when the vault has no such secret' -Skip:$blockSkipped {
            $failure = { $ErrorActionPreference = 'Continue'; Connect-Hailuo -Provider CoreToday -BaseUri "$Url/coretoday/v1" -Vault $VaultName -SecretName 'HailuoNoSuchSecret' -NoPersist } |
                Should -Throw -PassThru
            $failure.FullyQualifiedErrorId | Should -BeLike 'Hailuo.*,Hailuo.PowerShell.Commands.ConnectHailuoCommand' -Because 'the error is Connect-Hailuo''s own, not a raw Get-Secret one'
            $failure.Exception.Message | Should -Match 'HailuoNoSuchSecret'
            $failure.Exception.Message | Should -Match ([regex]::Escape($VaultName))
        }
    }
}
