<#
.SYNOPSIS
    Brings docs/help/*.md and docs/cmdlets.md in line with the compiled cmdlets.

.DESCRIPTION
    Imports the built module (./out/Hailuo, after `dotnet build`) and, from Get-Command and the
    cmdlets' attributes, rewrites in each docs/help/<Verb-Noun>.md the front matter's generated keys,
    the SYNTAX and ALIASES sections and every parameter's ```yaml block, keeping the hand-written
    prose and each DefaultValue (a compiled cmdlet does not declare its defaults). A parameter without
    a section gets a stub whose placeholder the help generator refuses until someone writes the text;
    a cmdlet without a file gets a stub file. A parameter documented that the cmdlet lacks, or a file
    for a cmdlet the module lacks, is an error: only a person can decide what its prose becomes.
    docs/cmdlets.md, the summary of the surface, is regenerated whole.

    With -Check nothing is written: each difference is named, and the script exits with 1 when any
    file is out of date.

    Run it in a fresh PowerShell (the module's assembly cannot be reloaded into a session that has it):
        dotnet pwsh -NoProfile -File tools/Update-CmdletDocs.ps1 [-Check]
#>
[CmdletBinding()]
param(
    # Only report what is out of date; change nothing.
    [switch] $Check,

    # The module manifest to read the cmdlets from; by default the build's out/Hailuo/Hailuo.psd1.
    [string] $ModulePath,

    # The folder of <Verb-Noun>.md help files; by default docs/help.
    [string] $HelpPath,

    # The surface summary; by default docs/cmdlets.md.
    [string] $SurfacePath
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$repoRoot = Split-Path -Parent $PSScriptRoot
if (-not $ModulePath) { $ModulePath = Join-Path (Join-Path (Join-Path $repoRoot 'out') 'Hailuo') 'Hailuo.psd1' }
if (-not $HelpPath) { $HelpPath = Join-Path (Join-Path $repoRoot 'docs') 'help' }
if (-not $SurfacePath) { $SurfacePath = Join-Path (Join-Path $repoRoot 'docs') 'cmdlets.md' }
# Full paths: .NET's file methods below resolve relative ones against the process's folder, not the session's.
$HelpPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($HelpPath)
$SurfacePath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($SurfacePath)

# The schema docs/help follows (docs/help/README.md); platyPS v2 reads and writes it.
$SchemaVersion = '2024-05-01'
$DefaultLocale = 'en-US'
$SectionOrder = @('SYNOPSIS', 'SYNTAX', 'ALIASES', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS')
$SyntaxWidth = 100
$CommonParametersText = @(
    'This cmdlet supports the common parameters: -Debug, -ErrorAction, -ErrorVariable,'
    '-InformationAction, -InformationVariable, -OutBuffer, -OutVariable, -PipelineVariable,'
    '-ProgressAction, -Verbose, -WarningAction, and -WarningVariable. For more information, see'
    '[about_CommonParameters](https://go.microsoft.com/fwlink/?LinkID=113216).'
)
# -WhatIf and -Confirm are documented by PowerShell itself, like the common parameters.
$NotDocumented = @([System.Management.Automation.Cmdlet]::CommonParameters) +
    @([System.Management.Automation.Cmdlet]::OptionalCommonParameters)

# ---------------------------------------------------------------------------------------------
# Type names and YAML scalars

function Get-FullTypeName([type] $Type) {
    # As PowerShell writes a type for people: System.Nullable[System.Int32], Hailuo.PowerShell.HailuoJobInfo[].
    if ($Type.IsArray) { return (Get-FullTypeName $Type.GetElementType()) + '[]' }
    if ($Type.IsGenericType) {
        $definition = $Type.GetGenericTypeDefinition().FullName
        $definition = $definition.Substring(0, $definition.IndexOf([char] '`'))
        $arguments = @($Type.GetGenericArguments() | ForEach-Object { Get-FullTypeName $_ })
        return '{0}[{1}]' -f $definition, ($arguments -join ', ')
    }
    return $Type.FullName
}

function Get-ShortTypeName([type] $Type) {
    # As the cmdlets' C# declares it: string, int?, SwitchParameter, HailuoJobInfo[].
    if ($Type.IsArray) { return (Get-ShortTypeName $Type.GetElementType()) + '[]' }
    $underlying = [Nullable]::GetUnderlyingType($Type)
    if ($null -ne $underlying) { return (Get-ShortTypeName $underlying) + '?' }
    $keywords = @{
        'System.String' = 'string'; 'System.Int32' = 'int'; 'System.Int64' = 'long'; 'System.Boolean' = 'bool'
        'System.Double' = 'double'; 'System.Object' = 'object'; 'System.Void' = 'void'
    }
    if ($keywords.ContainsKey($Type.FullName)) { return $keywords[$Type.FullName] }
    if ($Type.IsGenericType) {
        $name = $Type.Name.Substring(0, $Type.Name.IndexOf([char] '`'))
        return '{0}<{1}>' -f $name, (@($Type.GetGenericArguments() | ForEach-Object { Get-ShortTypeName $_ }) -join ', ')
    }
    return $Type.Name
}

function ConvertTo-YamlScalar([string] $Value) {
    # Plain when YAML reads it back as the same string; single-quoted otherwise.
    if ($Value -cmatch '^[A-Za-z$_(][A-Za-z0-9 $_.,/()\[\]-]*$' -and $Value -notmatch '^(true|false|yes|no|on|off|null|y|n)$' -and $Value -eq $Value.Trim()) {
        return $Value
    }
    return "'" + $Value.Replace("'", "''") + "'"
}

function ConvertFrom-YamlScalar([string] $Text) {
    $Text = $Text.Trim()
    if ($Text.Length -ge 2 -and $Text.StartsWith("'") -and $Text.EndsWith("'")) {
        return $Text.Substring(1, $Text.Length - 2).Replace("''", "'")
    }
    if ($Text.Length -ge 2 -and $Text.StartsWith('"') -and $Text.EndsWith('"')) {
        return $Text.Substring(1, $Text.Length - 2).Replace('\"', '"').Replace('\\', '\')
    }
    return $Text
}

function ConvertTo-YamlList([string] $Key, [string[]] $Values) {
    if (@($Values).Count -eq 0) { return @("${Key}: []") }
    @("${Key}:") + @($Values | ForEach-Object { '- ' + (ConvertTo-YamlScalar $_) })
}

# ---------------------------------------------------------------------------------------------
# What the compiled cmdlets say

function Get-DocumentedParameter($Command) {
    # The parameters a help file documents, in the cmdlet's own order.
    @($Command.Parameters.Values | Where-Object { $NotDocumented -notcontains $_.Name })
}

function Get-ParameterAttribute($Parameter, [type] $Type) {
    @($Parameter.Attributes | Where-Object { $_ -is $Type })
}

function Get-ParameterSetName($Command) {
    # Get-Command's order: the default set first.
    @($Command.ParameterSets | ForEach-Object { $_.Name })
}

function Get-ParameterBinding($Command, $Parameter) {
    # The parameter's binding in each set it is in: every set (__AllParameterSets) first, then Get-Command's order.
    $allSets = [System.Management.Automation.ParameterAttribute]::AllParameterSets
    foreach ($setName in (@($allSets) + @(Get-ParameterSetName $Command) | Select-Object -Unique)) {
        if ($Parameter.ParameterSets.ContainsKey($setName)) {
            [pscustomobject] @{ SetName = $setName; IsAll = ($setName -eq $allSets); Binding = $Parameter.ParameterSets[$setName] }
        }
    }
}

function Get-ParameterYaml($Command, $Parameter, [string] $DefaultValue) {
    $attributes = Get-ParameterAttribute $Parameter ([System.Management.Automation.ParameterAttribute])
    $helpMessage = @($attributes | Where-Object { $_.HelpMessage } | ForEach-Object { $_.HelpMessage } | Select-Object -First 1)
    $accepted = @(Get-ParameterAttribute $Parameter ([System.Management.Automation.ValidateSetAttribute]) | ForEach-Object { $_.ValidValues })
    $wildcards = @(Get-ParameterAttribute $Parameter ([System.Management.Automation.SupportsWildcardsAttribute])).Count -gt 0
    $dontShow = @($attributes | Where-Object { $_.DontShow }).Count -gt 0

    $lines = New-Object System.Collections.Generic.List[string]
    $lines.Add('Type: ' + (ConvertTo-YamlScalar (Get-FullTypeName $Parameter.ParameterType)))
    $lines.Add('DefaultValue: ' + (ConvertTo-YamlScalar $DefaultValue))
    $lines.Add('SupportsWildcards: ' + "$wildcards".ToLowerInvariant())
    $lines.Add('ParameterValue: []')
    foreach ($line in (ConvertTo-YamlList 'Aliases' @($Parameter.Aliases))) { $lines.Add($line) }
    $lines.Add('ParameterSets:')
    foreach ($entry in @(Get-ParameterBinding $Command $Parameter)) {
        $set = $entry.Binding
        $position = 'Named'
        if ($set.Position -ne [int]::MinValue) { $position = [string] $set.Position }
        $name = $entry.SetName
        if ($entry.IsAll) { $name = '(All)' }
        $lines.Add('- Name: ' + (ConvertTo-YamlScalar $name))
        $lines.Add('  Position: ' + $position)
        $lines.Add('  IsRequired: ' + "$($set.IsMandatory)".ToLowerInvariant())
        $lines.Add('  ValueFromPipeline: ' + "$($set.ValueFromPipeline)".ToLowerInvariant())
        $lines.Add('  ValueFromPipelineByPropertyName: ' + "$($set.ValueFromPipelineByPropertyName)".ToLowerInvariant())
        $lines.Add('  ValueFromRemainingArguments: ' + "$($set.ValueFromRemainingArguments)".ToLowerInvariant())
    }
    $lines.Add('DontShow: ' + "$dontShow".ToLowerInvariant())
    foreach ($line in (ConvertTo-YamlList 'AcceptedValues' $accepted)) { $lines.Add($line) }
    $message = ''
    if ($helpMessage.Count -gt 0) { $message = [string] $helpMessage[0] }
    $lines.Add('HelpMessage: ' + (ConvertTo-YamlScalar $message))
    @('```yaml') + $lines.ToArray() + @('```')
}

function Split-SyntaxToken([string] $Syntax) {
    # "[[-Prompt] <string>] -Wait [-Force]" -> "[[-Prompt] <string>]", "-Wait", "[-Force]": spaces
    # outside brackets part tokens, and a "<type>" stays with the parameter before it.
    $tokens = New-Object System.Collections.Generic.List[string]
    $depth = 0
    $current = New-Object System.Text.StringBuilder
    foreach ($char in $Syntax.ToCharArray()) {
        if ($char -eq '[' -or $char -eq '<') { $depth++ }
        if ($char -eq ']' -or $char -eq '>') { $depth-- }
        if ($char -eq ' ' -and $depth -eq 0) {
            if ($current.Length -gt 0) { $tokens.Add($current.ToString()) }
            [void] $current.Clear()
            continue
        }
        [void] $current.Append($char)
    }
    if ($current.Length -gt 0) { $tokens.Add($current.ToString()) }
    $merged = New-Object System.Collections.Generic.List[string]
    foreach ($token in $tokens) {
        if ($token.StartsWith('<') -and $merged.Count -gt 0) { $merged[$merged.Count - 1] += ' ' + $token }
        else { $merged.Add($token) }
    }
    $merged.ToArray()
}

function Get-SyntaxSection($Command) {
    # One "### Set" per parameter set with Get-Command's syntax, wrapped as platyPS wraps it.
    $lines = New-Object System.Collections.Generic.List[string]
    foreach ($set in $Command.ParameterSets) {
        $heading = '### ' + $set.Name
        if ($set.IsDefault) { $heading += ' (Default)' }
        $lines.Add($heading)
        $lines.Add('')
        $lines.Add('```')
        $line = $Command.Name
        foreach ($token in (Split-SyntaxToken $set.ToString())) {
            if ($line.Length + 1 + $token.Length -gt $SyntaxWidth -and $line.Trim() -ne $Command.Name) {
                $lines.Add($line)
                $line = ' ' + $token
            }
            else { $line += ' ' + $token }
        }
        $lines.Add($line)
        $lines.Add('```')
        $lines.Add('')
    }
    Optimize-Lines $lines.ToArray()
}

function Get-AliasesSection($Command, $Module) {
    $aliases = @($Module.ExportedAliases.Values | Where-Object { $_.Definition -eq $Command.Name } | ForEach-Object { $_.Name } | Sort-Object)
    if ($aliases.Count -eq 0) { return @() }
    @('This cmdlet has the following aliases:', '') + @($aliases | ForEach-Object { "- $_" })
}

function Get-FrontMatter($Command, $Module, [string[]] $Existing) {
    # The generated keys over whatever else the file keeps (ms.date and the like), sorted as platyPS sorts them.
    $values = New-Object 'System.Collections.Generic.Dictionary[string,string]' ([StringComparer]::OrdinalIgnoreCase)
    foreach ($line in $Existing) {
        if ($line -match '^([^:#][^:]*):\s?(.*)$') { $values[$Matches[1].Trim()] = $Matches[2] }
    }
    $locale = $DefaultLocale
    if ($values.ContainsKey('Locale') -and (ConvertFrom-YamlScalar $values['Locale'])) { $locale = ConvertFrom-YamlScalar $values['Locale'] }
    $helpUri = ''
    if ($Command.HelpUri) { $helpUri = $Command.HelpUri }
    $values['document type'] = 'cmdlet'
    $values['external help file'] = ConvertTo-YamlScalar $Command.HelpFile
    $values['HelpUri'] = ConvertTo-YamlScalar $helpUri
    $values['Locale'] = ConvertTo-YamlScalar $locale
    $values['Module Name'] = ConvertTo-YamlScalar $Module.Name
    $values['PlatyPS schema version'] = $SchemaVersion
    $values['title'] = ConvertTo-YamlScalar $Command.Name
    $keys = [string[]] @($values.Keys)
    [Array]::Sort($keys, [StringComparer]::OrdinalIgnoreCase)
    @('---') + @($keys | ForEach-Object { '{0}: {1}' -f $_, $values[$_] }) + @('---')
}

# ---------------------------------------------------------------------------------------------
# Reading and rewriting one help file

function Optimize-Lines([string[]] $Lines) {
    # No blank lines at either end, and never two in a row outside code.
    $result = New-Object System.Collections.Generic.List[string]
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line.TrimStart().StartsWith('```')) { $inFence = -not $inFence }
        if (-not $inFence -and $line.Trim() -eq '' -and ($result.Count -eq 0 -or $result[$result.Count - 1].Trim() -eq '')) { continue }
        $result.Add($line.TrimEnd())
    }
    while ($result.Count -gt 0 -and $result[$result.Count - 1] -eq '') { $result.RemoveAt($result.Count - 1) }
    , $result.ToArray()
}

function Split-Headings([string[]] $Lines, [string] $Prefix) {
    # Cuts lines at headings that start with $Prefix ('## ' or '### '), outside code blocks.
    # Returns the lines before the first one and an ordered list of @{ Title; Lines }.
    $before = New-Object System.Collections.Generic.List[string]
    $parts = New-Object System.Collections.Generic.List[object]
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line.TrimStart().StartsWith('```')) { $inFence = -not $inFence }
        if (-not $inFence -and $line.StartsWith($Prefix)) {
            $parts.Add(@{ Title = $line.Substring($Prefix.Length).Trim(); Lines = (New-Object System.Collections.Generic.List[string]) })
            continue
        }
        if ($parts.Count -eq 0) { $before.Add($line) } else { $parts[$parts.Count - 1].Lines.Add($line) }
    }
    @{ Before = $before.ToArray(); Parts = $parts.ToArray() }
}

function Split-YamlBlock([string[]] $Lines) {
    # A parameter's lines without its ```yaml block, and the block's lines (empty when it has none).
    $prose = New-Object System.Collections.Generic.List[string]
    $yaml = New-Object System.Collections.Generic.List[string]
    $state = 'prose'
    foreach ($line in $Lines) {
        if ($state -eq 'prose' -and $line.Trim() -eq '```yaml') { $state = 'yaml'; $yaml.Add($line); continue }
        if ($state -eq 'yaml') {
            $yaml.Add($line)
            if ($line.Trim() -eq '```') { $state = 'after' }
            continue
        }
        $prose.Add($line)
    }
    @{ Prose = (Optimize-Lines $prose.ToArray()); Yaml = $yaml.ToArray() }
}

function Get-DocumentedDefault([string[]] $Yaml) {
    foreach ($line in $Yaml) {
        if ($line -match '^DefaultValue:(.*)$') { return ConvertFrom-YamlScalar $Matches[1] }
    }
    ''
}

function New-HelpStub($Command) {
    # A new cmdlet's file: every section, with placeholders the help generator refuses until written.
    $name = $Command.Name
    @(
        "# $name", '',
        '## SYNOPSIS', '', "{{ Fill in the synopsis of $name }}", '',
        '## SYNTAX', '', '## ALIASES', '',
        '## DESCRIPTION', '', "{{ Fill in the description of $name }}", '',
        '## EXAMPLES', '',
        '### Example 1: {{ Fill in the title }}', '', '```powershell', $name, '```', '', '{{ Fill in what example 1 does }}', '',
        '### Example 2: {{ Fill in the title }}', '', '```powershell', $name, '```', '', '{{ Fill in what example 2 does }}', '',
        '## PARAMETERS', '',
        '## INPUTS', '', '### None', '',
        '## OUTPUTS', '', '### None', '',
        '## NOTES', '', '{{ Fill in the notes }}', '',
        '## RELATED LINKS', ''
    )
}

function Update-HelpText($Command, $Module, [string[]] $Lines, [string] $FileName) {
    # Returns @{ Lines; Differences; Problems }: the file as it should be, what differs, and what only a person can fix.
    $differences = New-Object System.Collections.Generic.List[string]
    $problems = New-Object System.Collections.Generic.List[string]

    $frontMatter = @()
    $body = $Lines
    if ($Lines.Count -gt 0 -and $Lines[0].Trim() -eq '---') {
        $end = -1
        for ($i = 1; $i -lt $Lines.Count; $i++) { if ($Lines[$i].Trim() -eq '---') { $end = $i; break } }
        if ($end -lt 0) { $problems.Add("${FileName}: the front matter has no closing '---' line."); return @{ Problems = $problems } }
        $frontMatter = $Lines[0..$end]
        $body = @()
        if ($end + 1 -lt $Lines.Count) { $body = $Lines[($end + 1)..($Lines.Count - 1)] }
    }
    $newFrontMatter = Get-FrontMatter $Command $Module @($frontMatter | Select-Object -Skip 1)
    if (($frontMatter -join "`n") -cne ($newFrontMatter -join "`n")) { $differences.Add("${FileName}: the front matter differs from the cmdlet (external help file, HelpUri, Module Name, title).") }

    $split = Split-Headings $body '## '
    $sections = [ordered] @{}
    foreach ($part in $split.Parts) {
        if ($sections.Contains($part.Title)) { $problems.Add("${FileName}: '## $($part.Title)' appears twice."); continue }
        $sections[$part.Title] = $part.Lines.ToArray()
    }
    foreach ($title in @('SYNTAX', 'ALIASES', 'PARAMETERS')) {
        if (-not $sections.Contains($title)) { $differences.Add("${FileName}: the '## $title' section is missing.") }
    }

    $newSyntax = Get-SyntaxSection $Command
    if ($sections.Contains('SYNTAX') -and ((Optimize-Lines $sections['SYNTAX']) -join "`n") -cne ($newSyntax -join "`n")) {
        $differences.Add("${FileName}: SYNTAX differs from Get-Command:" + (Format-LineDifference (Optimize-Lines $sections['SYNTAX']) $newSyntax))
    }
    $newAliases = @(Get-AliasesSection $Command $Module)
    if ($sections.Contains('ALIASES') -and ((Optimize-Lines $sections['ALIASES']) -join "`n") -cne ($newAliases -join "`n")) {
        $differences.Add("${FileName}: ALIASES differs from the module's aliases:" + (Format-LineDifference (Optimize-Lines $sections['ALIASES']) $newAliases))
    }

    # PARAMETERS: the documented ones in their order, each with its prose and a fresh yaml block; then
    # stubs for the undocumented ones; then CommonParameters.
    $parameters = @{}
    foreach ($parameter in (Get-DocumentedParameter $Command)) { $parameters[$parameter.Name] = $parameter }
    $newParameters = New-Object System.Collections.Generic.List[string]
    $documented = New-Object System.Collections.Generic.List[string]
    $parameterSplit = Split-Headings @($(if ($sections.Contains('PARAMETERS')) { $sections['PARAMETERS'] })) '### '
    foreach ($line in (Optimize-Lines $parameterSplit.Before)) { $newParameters.Add($line) }
    foreach ($part in $parameterSplit.Parts) {
        if ($part.Title -eq 'CommonParameters') {
            if (((Optimize-Lines $part.Lines.ToArray()) -join "`n") -cne ($CommonParametersText -join "`n")) { $differences.Add("${FileName}: the CommonParameters text is not the standard one.") }
            continue
        }
        if ($part.Title -notmatch '^-(\w+)$') { $problems.Add("${FileName}: '### $($part.Title)' under PARAMETERS is not '### -Name'."); continue }
        $name = $Matches[1]
        if (-not $parameters.ContainsKey($name)) {
            $problems.Add("${FileName}: documents -$name, which $($Command.Name) does not have: remove its section, or move its text to the parameter that replaced it.")
            continue
        }
        $parameter = $parameters[$name]
        if ($parameter.Name -cne $name) { $differences.Add("${FileName}: -$name is spelt -$($parameter.Name) by the cmdlet.") }
        $documented.Add($parameter.Name)
        $parts = Split-YamlBlock $part.Lines.ToArray()
        $yaml = Get-ParameterYaml $Command $parameter (Get-DocumentedDefault $parts.Yaml)
        if (($parts.Yaml -join "`n") -cne ($yaml -join "`n")) {
            $differences.Add("${FileName}: the yaml block of -$($parameter.Name) differs from the cmdlet:" + (Format-LineDifference $parts.Yaml $yaml))
        }
        $prose = $parts.Prose
        if ($prose.Count -eq 0) {
            $differences.Add("${FileName}: -$($parameter.Name) has no description; a stub is added.")
            $prose = @("{{ Fill in the description of -$($parameter.Name) }}")
        }
        foreach ($line in @("### -$($parameter.Name)", '') + $prose + @('') + $yaml + @('')) { $newParameters.Add($line) }
    }
    foreach ($parameter in (Get-DocumentedParameter $Command)) {
        if ($documented -contains $parameter.Name) { continue }
        $differences.Add("${FileName}: -$($parameter.Name) is not documented; a stub section is added.")
        $yaml = Get-ParameterYaml $Command $parameter ''
        foreach ($line in @("### -$($parameter.Name)", '', "{{ Fill in the description of -$($parameter.Name) }}", '') + $yaml + @('')) { $newParameters.Add($line) }
    }
    foreach ($line in @('### CommonParameters', '') + $CommonParametersText) { $newParameters.Add($line) }
    $sections['SYNTAX'] = $newSyntax
    $sections['ALIASES'] = $newAliases
    $sections['PARAMETERS'] = $newParameters.ToArray()

    # Sections in their order; a missing generated one goes where the schema puts it.
    $output = New-Object System.Collections.Generic.List[string]
    foreach ($line in $newFrontMatter) { $output.Add($line) }
    $output.Add('')
    foreach ($line in (Optimize-Lines $split.Before)) { $output.Add($line) }
    $output.Add('')
    $titles = New-Object System.Collections.Generic.List[string]
    foreach ($title in $sections.Keys) { $titles.Add($title) }
    foreach ($title in @('SYNTAX', 'ALIASES', 'PARAMETERS')) {
        $titles.Remove($title) | Out-Null
        $canonical = [array]::IndexOf($SectionOrder, $title)
        $at = $titles.Count
        for ($i = 0; $i -lt $titles.Count; $i++) {
            $index = [array]::IndexOf($SectionOrder, $titles[$i])
            if ($index -gt $canonical) { $at = $i; break }
        }
        $titles.Insert($at, $title)
    }
    foreach ($title in $titles) {
        $output.Add("## $title")
        $output.Add('')
        $content = Optimize-Lines @($sections[$title])
        if ($content.Count -gt 0) {
            foreach ($line in $content) { $output.Add($line) }
            $output.Add('')
        }
    }
    $result = Optimize-Lines $output.ToArray()
    if ($differences.Count -eq 0 -and ($result -join "`n") -cne ($Lines -join "`n")) {
        $differences.Add("${FileName}: the layout (blank lines, heading spacing) differs from the generated form:" + (Format-LineDifference $Lines $result))
    }
    @{ Lines = $result; Differences = $differences; Problems = $problems }
}

function Format-LineDifference([string[]] $Old, [string[]] $New) {
    # The lines only one side has, marked - (in the file) and + (from the cmdlets).
    $oldLines = @($Old | Where-Object { $_ -ne '' })
    $newLines = @($New | Where-Object { $_ -ne '' })
    # Compare-Object refuses an empty side in Windows PowerShell 5.1.
    if ($oldLines.Count -eq 0 -or $newLines.Count -eq 0) {
        $changes = @($oldLines | ForEach-Object { "`n    - $_" }) + @($newLines | ForEach-Object { "`n    + $_" })
        return $changes -join ''
    }
    $comparison = @(Compare-Object -ReferenceObject $oldLines -DifferenceObject $newLines -CaseSensitive -SyncWindow 1000)
    $changes = @($comparison | ForEach-Object {
            $mark = '+'
            if ($_.SideIndicator -eq '<=') { $mark = '-' }
            "`n    $mark $($_.InputObject)"
        })
    $changes -join ''
}

# ---------------------------------------------------------------------------------------------
# docs/cmdlets.md

function Get-VerbClass([string] $Verb) {
    foreach ($class in @([System.Management.Automation.VerbsCommon], [System.Management.Automation.VerbsCommunications],
            [System.Management.Automation.VerbsData], [System.Management.Automation.VerbsDiagnostic],
            [System.Management.Automation.VerbsLifecycle], [System.Management.Automation.VerbsSecurity],
            [System.Management.Automation.VerbsOther])) {
        foreach ($field in $class.GetFields()) {
            if ($field.GetValue($null) -ceq $Verb) { return '{0}.{1}' -f $class.Name, $field.Name }
        }
    }
    '"' + $Verb + '"'
}

function Format-CmdletAttribute($Command) {
    $attribute = @($Command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $true))[0]
    $arguments = @((Get-VerbClass $attribute.VerbName), ('"{0}"' -f $attribute.NounName))
    if ($attribute.SupportsShouldProcess) { $arguments += 'SupportsShouldProcess = true', ('ConfirmImpact = ConfirmImpact.' + $attribute.ConfirmImpact) }
    if ($attribute.SupportsPaging) { $arguments += 'SupportsPaging = true' }
    if ($attribute.SupportsTransactions) { $arguments += 'SupportsTransactions = true' }
    if ($attribute.DefaultParameterSetName) { $arguments += 'DefaultParameterSetName = "{0}"' -f $attribute.DefaultParameterSetName }
    if ($attribute.HelpUri) { $arguments += 'HelpUri = "{0}"' -f $attribute.HelpUri }
    '`[Cmdlet({0})]`' -f ($arguments -join ', ')
}

function Format-OutputTypeAttribute($Command) {
    foreach ($attribute in @($Command.ImplementingType.GetCustomAttributes([System.Management.Automation.OutputTypeAttribute], $true))) {
        $types = @($attribute.Type | ForEach-Object {
                if ($null -ne $_.Type) { 'typeof({0})' -f (Get-ShortTypeName $_.Type) } else { '"{0}"' -f $_.Name }
            })
        $sets = @($attribute.ParameterSetName | Where-Object { $_ -ne '__AllParameterSets' })
        $text = $types -join ', '
        if ($sets.Count -gt 0) { $text += ', ParameterSetName = new[] { ' + (@($sets | ForEach-Object { '"' + $_ + '"' }) -join ', ') + ' }' }
        '`[OutputType({0})]`' -f $text
    }
}

function Format-ParameterAttributes($Parameter) {
    # Every attribute but [Parameter] and [Alias], which have columns of their own, C#-like.
    $parts = New-Object System.Collections.Generic.List[string]
    if (@(Get-ParameterAttribute $Parameter ([System.Management.Automation.ParameterAttribute]) | Where-Object { $_.DontShow }).Count -gt 0) { $parts.Add('DontShow') }
    foreach ($attribute in $Parameter.Attributes) {
        if ($attribute -is [System.Management.Automation.ParameterAttribute] -or $attribute -is [System.Management.Automation.AliasAttribute]) { continue }
        # The C# compiler's own marks (nullable reference types) say nothing to a PowerShell user.
        if ($attribute.GetType().Namespace -eq 'System.Runtime.CompilerServices') { continue }
        $name = $attribute.GetType().Name -replace 'Attribute$', ''
        if ($attribute -is [System.Management.Automation.ValidateSetAttribute]) { $name += '(' + ($attribute.ValidValues -join ', ') + ')' }
        elseif ($attribute -is [System.Management.Automation.ValidateRangeAttribute]) { $name += '({0}, {1})' -f $attribute.MinRange, $attribute.MaxRange }
        elseif ($attribute -is [System.Management.Automation.ValidateLengthAttribute]) { $name += '({0}, {1})' -f $attribute.MinLength, $attribute.MaxLength }
        elseif ($attribute -is [System.Management.Automation.ValidatePatternAttribute]) { $name += '("{0}")' -f $attribute.RegexPattern }
        elseif ($attribute -is [System.Management.Automation.ArgumentCompleterAttribute] -and $null -ne $attribute.Type) {
            $name += '(' + $attribute.Type.Name
            # A completer with a fixed list says what it offers.
            $values = $attribute.Type.GetProperty('Values')
            if ($null -ne $values -and $null -ne $attribute.Type.GetConstructor([type[]] @())) {
                $name += ': ' + (@($values.GetValue([Activator]::CreateInstance($attribute.Type))) -join ', ')
            }
            $name += ')'
        }
        $parts.Add($name)
    }
    $parts -join ', '
}

function Format-Binding($Set) {
    $binding = New-Object System.Collections.Generic.List[string]
    if ($Set.IsMandatory) { $binding.Add('Mandatory') }
    if ($Set.Position -ne [int]::MinValue) { $binding.Add("Position $($Set.Position)") }
    if ($Set.ValueFromPipeline) { $binding.Add('ValueFromPipeline') }
    if ($Set.ValueFromPipelineByPropertyName) { $binding.Add('ValueFromPipelineByPropertyName') }
    if ($Set.ValueFromRemainingArguments) { $binding.Add('ValueFromRemainingArguments') }
    $binding -join ', '
}

function Get-SurfaceText($Module, $Commands) {
    $lines = New-Object System.Collections.Generic.List[string]
    $assembly = $Commands[0].ImplementingType.Assembly
    $lines.Add('# The cmdlet surface')
    $lines.Add('')
    $lines.Add('Generated from the compiled cmdlets by `tools/Update-CmdletDocs.ps1`: do not edit it by hand.')
    $lines.Add('Change the cmdlets, build, and run the script; `-Check` says whether this file and `docs/help`')
    $lines.Add('are current. What each cmdlet and parameter does is told in `docs/help/<Verb-Noun>.md`.')
    $lines.Add('')
    $lines.Add(('Module {0} {1}: the cmdlets of `{2}`, in the namespace `{3}`.' -f $Module.Name, $Module.Version, $assembly.GetName().Name, $Commands[0].ImplementingType.Namespace))
    $lines.Add('')
    foreach ($command in $Commands) { $lines.Add(('- [{0}](#{1})' -f $command.Name, $command.Name.ToLowerInvariant())) }
    $lines.Add('')
    $outputTypes = New-Object System.Collections.Generic.List[type]
    foreach ($command in $Commands) {
        $lines.Add("## $($command.Name)")
        $lines.Add('')
        $lines.Add('`{0}`' -f $command.ImplementingType.FullName)
        $lines.Add((Format-CmdletAttribute $command))
        foreach ($line in @(Format-OutputTypeAttribute $command)) { $lines.Add($line) }
        $lines.Add('')
        $setNames = @(Get-ParameterSetName $command | ForEach-Object {
                $set = $_
                if (@($command.ParameterSets | Where-Object { $_.Name -eq $set -and $_.IsDefault }).Count -gt 0 -and @($command.ParameterSets).Count -gt 1) { "$set (default)" } else { $set }
            })
        $lines.Add('Parameter sets: ' + ($setNames -join ', '))
        $lines.Add('')
        $parameters = @(Get-DocumentedParameter $command)
        if ($parameters.Count -eq 0) {
            $lines.Add('No parameters but the common ones.')
        }
        else {
            $lines.Add('| parameter | type | set: binding | aliases | attributes |')
            $lines.Add('|---|---|---|---|---|')
            foreach ($parameter in $parameters) {
                $bindings = @(foreach ($entry in @(Get-ParameterBinding $command $parameter)) {
                        $label = $entry.SetName
                        if ($entry.IsAll) { $label = 'all' }
                        $binding = Format-Binding $entry.Binding
                        if ($binding) { "${label}: $binding" } else { $label }
                    })
                $lines.Add(('| {0} | {1} | {2} | {3} | {4} |' -f $parameter.Name, (Get-ShortTypeName $parameter.ParameterType),
                        ($bindings -join '; '), (@($parameter.Aliases) -join ', '), (Format-ParameterAttributes $parameter)))
            }
        }
        if ($command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $true)[0].SupportsShouldProcess) {
            $lines.Add('')
            $lines.Add('Also -WhatIf and -Confirm (SupportsShouldProcess).')
        }
        $lines.Add('')
        foreach ($output in $command.OutputType) {
            if ($null -ne $output.Type -and $output.Type.Assembly -eq $assembly -and -not $outputTypes.Contains($output.Type)) { $outputTypes.Add($output.Type) }
        }
    }
    $lines.Add('## Output types of the module')
    $lines.Add('')
    $lines.Add('The types of `{0}` that the cmdlets write, with their public properties in declaration order.' -f $assembly.GetName().Name)
    $lines.Add('')
    foreach ($type in $outputTypes) {
        $lines.Add("### $($type.FullName)")
        $lines.Add('')
        $properties = @($type.GetProperties([System.Reflection.BindingFlags] 'Public, Instance') | Sort-Object MetadataToken)
        $lines.Add('| property | type |')
        $lines.Add('|---|---|')
        foreach ($property in $properties) { $lines.Add(('| {0} | {1} |' -f $property.Name, (Get-ShortTypeName $property.PropertyType))) }
        $lines.Add('')
        foreach ($format in @(Get-FormatData -TypeName $type.FullName -ErrorAction SilentlyContinue)) {
            foreach ($view in $format.FormatViewDefinition) {
                $control = $view.Control
                if ($control -is [System.Management.Automation.TableControl]) {
                    $columns = for ($i = 0; $i -lt $control.Headers.Count; $i++) {
                        $label = $control.Headers[$i].Label
                        if (-not $label) { $label = $control.Rows[0].Columns[$i].DisplayEntry.Value }
                        $label
                    }
                    $lines.Add(('Table view `{0}`: {1}.' -f $view.Name, ($columns -join ', ')))
                }
                elseif ($control -is [System.Management.Automation.ListControl]) {
                    $items = @($control.Entries[0].Items | ForEach-Object { if ($_.Label) { $_.Label } else { $_.DisplayEntry.Value } })
                    $lines.Add(('List view `{0}`: {1}.' -f $view.Name, ($items -join ', ')))
                }
            }
            $lines.Add('')
        }
    }
    Optimize-Lines $lines.ToArray()
}

# ---------------------------------------------------------------------------------------------

function Read-Lines([string] $Path) {
    $text = [System.IO.File]::ReadAllText($Path)
    , @($text.Replace("`r`n", "`n").TrimEnd("`n").Split("`n"))
}

function Write-Lines([string] $Path, [string[]] $Lines) {
    [System.IO.File]::WriteAllText($Path, (($Lines -join "`n") + "`n"), (New-Object System.Text.UTF8Encoding $false))
}

$module = Import-Module -Name $ModulePath -PassThru -ErrorAction Stop | Select-Object -First 1
$commands = @($module.ExportedCmdlets.Values | Sort-Object Name)
if ($commands.Count -eq 0) { throw "$ModulePath exports no cmdlet; build it first (dotnet build Hailuo.sln -c Release)." }

$differences = New-Object System.Collections.Generic.List[string]
$problems = New-Object System.Collections.Generic.List[string]
$writes = [ordered] @{}

foreach ($file in @(Get-ChildItem -LiteralPath $HelpPath -Filter '*.md' | Where-Object { $_.Name -ne 'README.md' })) {
    if (-not ($commands | Where-Object { $_.Name -ceq $file.BaseName })) {
        $problems.Add("$($file.Name): $($module.Name) has no cmdlet $($file.BaseName): delete the file, or rename it after the cmdlet that replaced it.")
    }
}
foreach ($command in $commands) {
    $path = Join-Path $HelpPath "$($command.Name).md"
    $fileName = "$($command.Name).md"
    if (Test-Path -LiteralPath $path) { $lines = Read-Lines $path }
    else {
        $differences.Add("${fileName}: $($command.Name) has no help file; a stub file is added.")
        $lines = New-HelpStub $command
    }
    $result = Update-HelpText $command $module $lines $fileName
    foreach ($problem in $result.Problems) { $problems.Add($problem) }
    if ($result.Problems.Count -gt 0) { continue }
    foreach ($difference in $result.Differences) { $differences.Add($difference) }
    if (-not (Test-Path -LiteralPath $path) -or ($result.Lines -join "`n") -cne ($lines -join "`n")) { $writes[$path] = $result.Lines }
}

$surface = Get-SurfaceText $module $commands
$oldSurface = @()
if (Test-Path -LiteralPath $SurfacePath) { $oldSurface = Read-Lines $SurfacePath }
if (($oldSurface -join "`n") -cne ($surface -join "`n")) {
    $differences.Add("$(Split-Path -Leaf $SurfacePath) differs from the compiled cmdlets:" + (Format-LineDifference $oldSurface $surface))
    $writes[$SurfacePath] = $surface
}

if ($problems.Count -gt 0) {
    throw ("The help cannot be brought in line with the cmdlets by itself:`n" + (($problems | ForEach-Object { "  $_" }) -join "`n"))
}
foreach ($difference in $differences) { Write-Output $difference }
if ($Check) {
    if ($differences.Count -gt 0) {
        Write-Output "Out of date: run tools/Update-CmdletDocs.ps1 (without -Check) after building, and review the result."
        exit 1
    }
    Write-Output 'docs/help and docs/cmdlets.md match the compiled cmdlets.'
    exit 0
}
foreach ($path in $writes.Keys) {
    Write-Lines $path $writes[$path]
    Write-Output "Updated $path"
}
if ($writes.Count -eq 0) { Write-Output 'docs/help and docs/cmdlets.md already match the compiled cmdlets.' }
