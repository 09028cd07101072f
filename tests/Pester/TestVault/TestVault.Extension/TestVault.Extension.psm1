<#
    The five functions of a SecretManagement vault extension, with the parameters SecretManagement
    passes. Secrets live in memory only, in a table per vault name kept in the process's AppDomain
    data: SecretManagement runs extensions in a runspace of its own, and the tests fill the vault from
    theirs, so module-scoped variables would not be shared. Nothing is ever written to disk.
#>
Set-StrictMode -Version 3.0

function Get-VaultTable {
    param([Parameter(Mandatory)] [string] $VaultName)
    $key = "Hailuo.TestVault:$VaultName"
    $table = [System.AppDomain]::CurrentDomain.GetData($key)
    if ($null -eq $table) {
        $table = [hashtable]::Synchronized(@{})
        [System.AppDomain]::CurrentDomain.SetData($key, $table)
    }
    $table
}

function Get-SecretTypeName {
    <# The SecretManagement SecretType name of a stored value. #>
    param($Value)
    if ($Value -is [string]) { return 'String' }
    if ($Value -is [securestring]) { return 'SecureString' }
    if ($Value -is [pscredential]) { return 'PSCredential' }
    if ($Value -is [hashtable]) { return 'Hashtable' }
    if ($Value -is [byte[]]) { return 'ByteArray' }
    'Unknown'
}

function Get-Secret {
    <# The secret's value as it was stored, or nothing when the vault has no such secret. #>
    [CmdletBinding()]
    param(
        [string] $Name,
        [string] $VaultName,
        [hashtable] $AdditionalParameters
    )
    $table = Get-VaultTable -VaultName $VaultName
    if ($table.ContainsKey($Name)) {
        # -NoEnumerate: a byte[] or a hashtable must come back as one object.
        Write-Output $table[$Name] -NoEnumerate
    }
}

function Get-SecretInfo {
    [CmdletBinding()]
    param(
        [string] $Filter,
        [string] $VaultName,
        [hashtable] $AdditionalParameters
    )
    if ([string]::IsNullOrEmpty($Filter)) {
        $Filter = '*'
    }
    $pattern = [System.Management.Automation.WildcardPattern]::new($Filter, [System.Management.Automation.WildcardOptions]::IgnoreCase)
    $table = Get-VaultTable -VaultName $VaultName
    $infos = foreach ($name in @($table.Keys | Sort-Object)) {
        if ($pattern.IsMatch($name)) {
            # The type exists only where SecretManagement is loaded, which is where this function is called.
            [Microsoft.PowerShell.SecretManagement.SecretInformation]::new(
                $name, [Microsoft.PowerShell.SecretManagement.SecretType] (Get-SecretTypeName $table[$name]), $VaultName)
        }
    }
    Write-Output @($infos) -NoEnumerate
}

function Set-Secret {
    <# Stores any value as is, an empty string included, so tests can put what a vault may hold. #>
    [CmdletBinding()]
    param(
        [string] $Name,
        [object] $Secret,
        [string] $VaultName,
        [hashtable] $AdditionalParameters
    )
    if ($Secret -is [psobject]) {
        $Secret = $Secret.PSObject.BaseObject
    }
    (Get-VaultTable -VaultName $VaultName)[$Name] = $Secret
}

function Remove-Secret {
    [CmdletBinding()]
    param(
        [string] $Name,
        [string] $VaultName,
        [hashtable] $AdditionalParameters
    )
    $table = Get-VaultTable -VaultName $VaultName
    if (-not $table.ContainsKey($Name)) {
        Write-Error -Message "The secret $Name was not found in vault $VaultName." -Category ObjectNotFound -ErrorId 'TestVaultSecretNotFound'
        return
    }
    $table.Remove($Name)
}

function Test-SecretVault {
    [CmdletBinding()]
    param(
        [string] $VaultName,
        [hashtable] $AdditionalParameters
    )
    $null = Get-VaultTable -VaultName $VaultName
    $true
}

Export-ModuleMember -Function @('Get-Secret', 'Get-SecretInfo', 'Set-Secret', 'Remove-Secret', 'Test-SecretVault')
