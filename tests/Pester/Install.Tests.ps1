# Pester 5: the module installed the way users install modules. The Package target lays out a package in a
# temp folder, PSResourceGet (shipped with PowerShell 7) publishes it to a local file repository registered
# under a unique name, and Save-PSResource installs it into a temp folder (Install-PSResource takes only
# -Scope, so a folder of one's own on PSModulePath is what Save-PSResource -Path is for). Child PowerShells
# with that folder first on PSModulePath then find the module by name, autoload its commands and run the
# main line against an emulator. Nothing goes into the user's module paths; the repository is unregistered
# at the end.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:RepoRoot = Get-HailuoRepoRoot
    $script:Manifest = Import-PowerShellDataFile -Path (Get-HailuoManifestPath)
    $script:Version = $Manifest.ModuleVersion
    $script:Work = New-TestDirectory
    $script:DataHome = Enter-TestDataHome
    $script:ModulesFolder = Join-Path $Work 'modules'
    $script:InstalledBase = [System.IO.Path]::Combine($ModulesFolder, 'Hailuo', $Version)
    $script:RepositoryName = 'HailuoInstallTest-' + [guid]::NewGuid().ToString('N')
    $script:InstalledBefore = @(Get-InstalledPSResource -Name Hailuo -ErrorAction SilentlyContinue | ForEach-Object { $_.InstalledLocation })
    $clock = [System.Diagnostics.Stopwatch]::StartNew()

    # The Package task's target, on what `dotnet build Hailuo.sln` built, into the temp folder.
    $script:Package = [System.IO.Path]::Combine($Work, 'package', 'Hailuo', $Version)
    $project = [System.IO.Path]::Combine($RepoRoot, 'src', 'Hailuo.PowerShell', 'Hailuo.PowerShell.csproj')
    $msbuild = & dotnet msbuild $project '-t:PackageModule' '-p:Configuration=Release' '-p:NoBuild=true' "-p:PackageOutputDir=$Package$([System.IO.Path]::DirectorySeparatorChar)" -nologo '-v:m' 2>&1
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet msbuild -t:PackageModule failed (run 'dotnet build Hailuo.sln -c Release' first):`n$($msbuild | Out-String)"
    }

    $repository = Join-Path $Work 'repository'
    New-Item -ItemType Directory -Path $repository | Out-Null
    Register-PSResourceRepository -Name $RepositoryName -Uri $repository -Trusted -ErrorAction Stop
    Publish-PSResource -Path $Package -Repository $RepositoryName -ErrorAction Stop
    New-Item -ItemType Directory -Path $ModulesFolder | Out-Null
    $script:Saved = @(Save-PSResource -Name Hailuo -Version $Version -Repository $RepositoryName -Path $ModulesFolder -TrustRepository -PassThru -ErrorAction Stop)
    Write-Host "Packaged, published and installed in $([math]::Round($clock.Elapsed.TotalSeconds, 1)) s."

    function Invoke-InstalledChild {
        <# A fresh PowerShell whose PSModulePath starts with the install folder, as a user's profile would set it. #>
        param([Parameter(Mandatory)] [string] $Script)
        Invoke-ChildPowerShell -Script (@"
`$env:PSModulePath = $(ConvertTo-PSLiteral $ModulesFolder) + [System.IO.Path]::PathSeparator + `$env:PSModulePath
`$ErrorActionPreference = 'Stop'

"@ + $Script)
    }
}

AfterAll {
    Unregister-PSResourceRepository -Name $RepositoryName -ErrorAction SilentlyContinue
    $left = @(Get-PSResourceRepository -Name $RepositoryName -ErrorAction SilentlyContinue)
    Exit-TestDataHome -State $script:DataHome
    Remove-TestDirectory -Path $script:Work
    if ($left.Count -gt 0) {
        throw "The test repository $RepositoryName is still registered."
    }
}

Describe 'The package from the Package target' {
    It 'holds the manifest, the LICENSE, the root assembly, its dependencies and the help' {
        foreach ($file in 'Hailuo.psd1', 'LICENSE', 'Hailuo.PowerShell.dll', 'Dependencies/Hailuo.dll',
            'Hailuo.format.ps1xml', 'en-US/Hailuo.PowerShell.dll-Help.xml', 'en-US/about_Hailuo.help.txt') {
            Test-Path -LiteralPath (Join-Path $Package $file) | Should -BeTrue -Because "the package needs $file"
        }
        Get-Content -LiteralPath (Join-Path $Package 'LICENSE') -Raw | Should -Match 'MIT License'
        @(Get-ChildItem -LiteralPath $Package -Recurse -Filter '*.pdb') | Should -BeNullOrEmpty
    }

    It 'passes Test-ModuleManifest' {
        $module = Test-ModuleManifest -Path (Join-Path $Package 'Hailuo.psd1') -ErrorAction Stop
        $module.Version | Should -Be ([version] $Version)
    }
}

Describe 'Hailuo installed from a PSResourceGet repository' {
    It 'was saved into the throwaway folder only' {
        $Saved.Name | Should -Be 'Hailuo'
        Test-Path -LiteralPath (Join-Path $InstalledBase 'Hailuo.psd1') | Should -BeTrue
        Test-Path -LiteralPath (Join-Path $InstalledBase 'LICENSE') | Should -BeTrue
        $installedNow = @(Get-InstalledPSResource -Name Hailuo -ErrorAction SilentlyContinue | ForEach-Object { $_.InstalledLocation })
        $installedNow | Should -Be $InstalledBefore -Because 'nothing may be installed into the user''s module paths'
    }

    It 'imports by name: Import-Module Hailuo' {
        $result = Invoke-InstalledChild -Script @'
$module = Import-Module Hailuo -PassThru
"BASE=$($module.ModuleBase)"
"CMDLETS=$(@($module.ExportedCmdlets.Keys | Sort-Object) -join ',')"
'@
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match ('BASE=' + [regex]::Escape($InstalledBase))
        $result.Output | Should -Match ('CMDLETS=' + (@($Manifest.CmdletsToExport | Sort-Object) -join ','))
    }

    It 'autoloads on first use without Import-Module: <Command>' -TestCases @(
        @{ Command = 'Get-HailuoConnection'; Line = 'Get-HailuoConnection | Out-Null'; Expected = '' }
        @{ Command = 'New-HailuoVideo -WhatIf'; Line = "`$env:HAILUO_API_KEY = 'whatif-key'; New-HailuoVideo -Prompt 'Install test: a kite over a hill' -WhatIf"; Expected = 'What if:' }
    ) {
        $result = Invoke-InstalledChild -Script @"
"LOADED-BEFORE=`$(@(Get-Module Hailuo).Count)"
$Line
"BASE=`$((Get-Module Hailuo).ModuleBase)"
"@
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match 'LOADED-BEFORE=0'
        $result.Output | Should -Match ('BASE=' + [regex]::Escape($InstalledBase))
        $result.Output | Should -Match ([regex]::Escape($Expected))
    }

    It 'finds its help: Get-Help New-HailuoVideo -Full and Get-Help about_Hailuo' {
        $result = Invoke-InstalledChild -Script @'
$help = Get-Help New-HailuoVideo -Full
"DESCRIPTION=$(@($help.description).Count -gt 0)"
"EXAMPLES=$(@($help.examples.example).Count)"
"ABOUT=$(@(Get-Help about_Hailuo).Count)"
'@
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match 'DESCRIPTION=True'
        $result.Output | Should -Match 'EXAMPLES=[1-9]'
        $result.Output | Should -Match 'ABOUT=1'
    }

    Context 'the main line against an emulator' {
        BeforeAll {
            $script:Emulator = Start-TestEmulator -TimeScale 0.01
            $script:Csv = Join-Path $Work 'prompts.csv'
            @(
                [pscustomobject]@{ prompt = 'Install test: a lighthouse at dusk'; duration = '6'; resolution = '768p'; scene = 'a' }
                [pscustomobject]@{ prompt = 'Install test: a fishing boat at sunrise'; duration = '10'; resolution = '768p'; scene = 'b' }
                [pscustomobject]@{ prompt = 'Install test: neon signs in the rain'; duration = '6'; resolution = '1080p'; scene = 'c' }
            ) | Export-Csv -LiteralPath $Csv -NoTypeInformation
            $script:VideoFolder = Join-Path $Work 'videos'
        }

        AfterAll {
            Stop-TestEmulator -Emulator $script:Emulator
        }

        It 'runs Import-Csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo from the installed module' {
            $helpers = Join-Path $PSScriptRoot 'TestHelpers.psm1'
            $result = Invoke-InstalledChild -Script @"
Import-Module $(ConvertTo-PSLiteral $helpers)
Connect-TestEmulator -Url $(ConvertTo-PSLiteral $Emulator.Url)
`$files = @(Import-Csv $(ConvertTo-PSLiteral $Csv) | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path $(ConvertTo-PSLiteral $VideoFolder))
"SAVED=`$(`$files.Count)"
"BASE=`$((Get-Module Hailuo).ModuleBase)"
"@
            $result.ExitCode | Should -Be 0 -Because $result.Output
            $result.Output | Should -Match 'SAVED=3'
            $result.Output | Should -Match ('BASE=' + [regex]::Escape($InstalledBase))
            $videos = @(Get-ChildItem -LiteralPath $VideoFolder -Filter '*.mp4')
            $videos.Count | Should -Be 3
            foreach ($video in $videos) {
                Test-Mp4Header -Path $video.FullName | Should -BeTrue
            }
            Get-EmulatorCount -Url $Emulator.Url -Counter creates | Should -Be 3
        }
    }
}
