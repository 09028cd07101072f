#
# Module manifest for Hailuo: MiniMax Hailuo 2.3 video generation from PowerShell.
# The source of the manifest: every build (./build.ps1, or `dotnet build src/Hailuo.PowerShell -c Release`)
# copies it into out/Hailuo/ beside the compiled module (src/Hailuo.PowerShell/Module.targets), and
# `Import-Module ./out/Hailuo` loads it from there. The paths below are relative to that folder.
#
@{
    RootModule           = 'Hailuo.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Desktop', 'Core')
    GUID                 = 'b4e94dc5-193f-425b-850c-1a4113c07444'
    Author               = 'Hailuo contributors'
    CompanyName          = 'Hailuo contributors'
    Copyright            = '(c) Hailuo contributors. MIT License (LICENSE).'
    Description          = 'Generate MP4 videos with MiniMax Hailuo 2.3 from prompts or still images, through core.today, Cloudflare Workers AI, Replicate or MiniMax, with streaming CSV pipelines, a job ledger that never pays twice, and SecretManagement credentials.'
    PowerShellVersion    = '5.1'
    FormatsToProcess     = @('Hailuo.format.ps1xml')
    # The surface in docs/cmdlets.md, named one by one so that nothing else leaks out.
    CmdletsToExport      = @(
        'New-HailuoVideo'
        'Get-HailuoJob'
        'Wait-HailuoJob'
        'Stop-HailuoJob'
        'Save-HailuoVideo'
        'Connect-Hailuo'
        'Disconnect-Hailuo'
        'Get-HailuoConnection'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Hailuo', 'MiniMax', 'Video', 'AI', 'TextToVideo', 'ImageToVideo', 'Replicate', 'Cloudflare', 'PSEdition_Desktop', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/hailuo-powershell/Hailuo'
            LicenseUri   = 'https://github.com/hailuo-powershell/Hailuo/blob/main/LICENSE'
            ReleaseNotes = 'Pre-release: the provider emulator and the build.'
        }
    }
}
