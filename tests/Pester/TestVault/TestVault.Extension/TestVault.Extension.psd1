@{
    ModuleVersion     = '1.0.0'
    GUID              = 'c8a2f7d4-6e31-4f09-b5d2-1e9a8c7b3f60'
    Author            = 'Hailuo contributors'
    Description       = 'The five functions SecretManagement calls on the TestVault extension.'
    PowerShellVersion = '5.1'
    RootModule        = 'TestVault.Extension.psm1'
    FunctionsToExport = @('Get-Secret', 'Get-SecretInfo', 'Set-Secret', 'Remove-Secret', 'Test-SecretVault')
    CmdletsToExport   = @()
    AliasesToExport   = @()
    VariablesToExport = @()
}
