using System.Collections;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Module;

/// <summary>Hailuo.psd1 as PowerShell reads it (Test-ModuleManifest, Import-PowerShellDataFile), against what the imported module really exports.</summary>
public sealed class ManifestTests : RunspaceTest
{
    private static readonly string[] Cmdlets =
    [
        "Connect-Hailuo", "Disconnect-Hailuo", "Get-HailuoConnection", "Get-HailuoJob", "New-HailuoVideo", "Save-HailuoVideo", "Stop-HailuoJob", "Wait-HailuoJob",
    ];

    [Fact]
    public void Test_ModuleManifest_accepts_it_and_finds_the_eight_cmdlets()
    {
        var result = Run("param($Manifest) (Test-ModuleManifest -Path $Manifest).ExportedCmdlets.Keys", new { Manifest = RepoPaths.Manifest }).AssertNoErrors();

        Assert.Equal(Cmdlets, result.Output.Select(o => (string)o.BaseObject).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void CmdletsToExport_are_exactly_the_cmdlets_the_imported_module_exports()
    {
        var listed = Strings(Manifest()["CmdletsToExport"]);
        var exported = Run("(Get-Command -Module Hailuo).Name").AssertNoErrors().Output.Select(o => (string)o.BaseObject);

        Assert.Equal(Cmdlets, listed.Order(StringComparer.Ordinal));
        Assert.Equal(Cmdlets, exported.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Nothing_but_the_cmdlets_is_exported_no_function_alias_or_variable()
    {
        var manifest = Manifest();
        var module = Assert.Single(Run("Get-Module Hailuo").AssertNoErrors().Output);

        foreach (var key in new[] { "FunctionsToExport", "AliasesToExport", "VariablesToExport" })
        {
            Assert.Empty(Strings(manifest[key]));
        }
        Assert.Empty((IDictionary)module.Property("ExportedFunctions")!);
        Assert.Empty((IDictionary)module.Property("ExportedAliases")!);
        Assert.Empty((IDictionary)module.Property("ExportedVariables")!);
        Assert.Empty(Run("Get-Command -Module Hailuo -CommandType Function, Alias, Filter, ExternalScript").AssertNoErrors().Output);
    }

    [Fact]
    public void It_runs_on_both_editions_from_PowerShell_5_1()
    {
        var manifest = Manifest();
        var module = Assert.Single(Run("Get-Module Hailuo").AssertNoErrors().Output);

        Assert.Equal(["Desktop", "Core"], Strings(manifest["CompatiblePSEditions"]));
        Assert.Equal("5.1", manifest["PowerShellVersion"]);
        Assert.Equal(new Version(5, 1), module.Property("PowerShellVersion"));
        Assert.Equal(["Desktop", "Core"], ((IEnumerable)module.Property("CompatiblePSEditions")!).Cast<object>().Select(o => o.ToString()));
    }

    [Fact]
    public void The_format_file_it_names_exists_and_is_loaded_on_import()
    {
        var manifest = Manifest();
        var loaded = Run("(Get-Module Hailuo).ExportedFormatFiles").AssertNoErrors().Output.Select(o => (string)o.BaseObject);

        Assert.Equal(["Hailuo.format.ps1xml"], Strings(manifest["FormatsToProcess"]));
        Assert.Equal([RepoPaths.InModule("Hailuo.format.ps1xml")], loaded);
        Assert.NotEmpty(Run("Get-FormatData -TypeName Hailuo.PowerShell.HailuoJobInfo").AssertNoErrors().Output);
    }

    [Fact]
    public void The_root_module_is_the_cmdlet_assembly_and_the_module_version_is_its_version()
    {
        var manifest = Manifest();
        var module = Run("$m = Get-Module Hailuo; $m.ImplementingAssembly.Location; $m.ImplementingAssembly.GetName().Version; $m.Version").AssertNoErrors().Output;

        Assert.Equal("Hailuo.PowerShell.dll", manifest["RootModule"]);
        Assert.Equal(RepoPaths.InModule("Hailuo.PowerShell.dll"), module[0].BaseObject);
        var assemblyVersion = (Version)module[1].BaseObject;
        Assert.Equal(new Version(assemblyVersion.Major, assemblyVersion.Minor, assemblyVersion.Build), module[2].BaseObject);
        Assert.Equal(module[2].BaseObject.ToString(), manifest["ModuleVersion"]);
    }

    [Fact]
    public void Every_cmdlet_uses_an_approved_verb_and_is_a_class_of_the_Commands_namespace()
    {
        var result = Run("""
            $approved = (Get-Verb).Verb
            Get-Command -Module Hailuo | ForEach-Object {
                [pscustomobject]@{ Name = $_.Name; Approved = $approved -contains $_.Verb; Type = $_.ImplementingType.FullName; Assembly = $_.ImplementingType.Assembly.GetName().Name }
            }
            """).AssertNoErrors();

        Assert.Equal(Cmdlets.Length, result.Output.Count);
        Assert.All(result.Output, cmdlet =>
        {
            Assert.Equal(true, cmdlet.Property("Approved"));
            Assert.Equal("Hailuo.PowerShell", cmdlet.Text("Assembly"));
            Assert.Equal($"Hailuo.PowerShell.Commands.{cmdlet.Text("Name")!.Replace("-", "", StringComparison.Ordinal)}Command", cmdlet.Text("Type"));
        });
    }

    [Theory]
    [InlineData("New-HailuoVideo", null, new[] { "Hailuo.PowerShell.HailuoJobInfo", "System.IO.FileInfo" })]
    [InlineData("Get-HailuoJob", "List", new[] { "Hailuo.PowerShell.HailuoJobInfo" })]
    [InlineData("Wait-HailuoJob", "Job", new[] { "Hailuo.PowerShell.HailuoJobInfo" })]
    [InlineData("Stop-HailuoJob", "Job", new[] { "Hailuo.PowerShell.HailuoJobInfo" })]
    [InlineData("Connect-Hailuo", "Environment", new[] { "Hailuo.PowerShell.HailuoConnectionInfo" })]
    [InlineData("Get-HailuoConnection", null, new[] { "Hailuo.PowerShell.HailuoConnectionInfo" })]
    public void Each_cmdlet_declares_its_output_types_and_default_set(string name, string? defaultSet, string[] outputTypes)
    {
        var command = Assert.Single(Run("param($Name) Get-Command $Name", new { Name = name }).AssertNoErrors().Output);
        var declared = Run("param($Name) (Get-Command $Name).OutputType.Name", new { Name = name }).AssertNoErrors().Output.Select(o => (string)o.BaseObject);

        Assert.Equal(outputTypes, declared);
        if (defaultSet is not null)
        {
            Assert.Equal(defaultSet, command.Text("DefaultParameterSet"));
        }
    }

    private Hashtable Manifest() =>
        Assert.IsType<Hashtable>(Assert.Single(Run("param($Manifest) Import-PowerShellDataFile -Path $Manifest", new { Manifest = RepoPaths.Manifest }).AssertNoErrors().Output).BaseObject);

    private static string[] Strings(object? value) => value switch
    {
        null => [],
        string text => [text],
        IEnumerable items => items.Cast<object>().Select(item => item.ToString()!).ToArray(),
        _ => [value.ToString()!],
    };
}
