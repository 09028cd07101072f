# A SecretManagement vault extension for the Pester suite (tests/Pester/SecretManagement.Tests.ps1).
# SecretManagement finds the five vault functions in the nested module named <ModuleName>.Extension;
# the parent exports nothing, so they never shadow SecretManagement's own cmdlets.
@{
    ModuleVersion     = '1.0.0'
    GUID              = '5f3e6b0a-2d1c-4b8e-9a57-7c0d3e1f4a21'
    Author            = 'Hailuo contributors'
    Description       = 'An in-memory SecretManagement vault extension, for tests only.'
    PowerShellVersion = '5.1'
    NestedModules     = @('TestVault.Extension')
    FunctionsToExport = @()
    CmdletsToExport   = @()
    AliasesToExport   = @()
    VariablesToExport = @()
    PrivateData       = @{ PSData = @{ Tags = @('SecretManagement') } }
}
