using System.Reflection;
using System.Runtime.Loader;
using System.Runtime.Versioning;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Module;

/// <summary>
/// How the imported module loads on PowerShell 7: the cmdlet assembly in PowerShell's default context, the engine and
/// the dependencies .NET lacks in the module's own context from out/Hailuo/Dependencies, and what .NET has shared. And the
/// Windows PowerShell 5.1 allow-list, read off the real loaded type, against what ships.
/// </summary>
public sealed class AssemblyIsolationTests : RunspaceTest
{
    private const string IsolationAssemblyName = "Hailuo.PowerShell.Isolation";

    private static string Dependencies => RepoPaths.InModule("Dependencies");

    [Fact]
    public void After_import_and_use_the_engine_and_what_dotnet_lacks_load_privately_from_module_Dependencies()
    {
        Connect();
        Run("New-HailuoVideo -Prompt 'A kite over a hill' | Wait-HailuoJob").AssertNoErrors();

        var loaded = Loaded();

        Assert.Equal(new LoadedAssembly("Hailuo.PowerShell", "Default", RepoPaths.InModule("Hailuo.PowerShell.dll")), loaded["Hailuo.PowerShell"]);
        var engine = loaded["Hailuo"];
        Assert.NotEqual("Default", engine.Context);
        Assert.Equal(Path.Combine(Dependencies, "Hailuo.dll"), engine.Location);
        foreach (var privateDependency in new[] { "Polly.Core", "Microsoft.Bcl.TimeProvider", "Microsoft.Bcl.AsyncInterfaces" })
        {
            Assert.Equal(new LoadedAssembly(privateDependency, engine.Context, Path.Combine(Dependencies, privateDependency + ".dll")), loaded[privateDependency]);
        }
        // What the runtime has at our version or later is shared: the engine sees the runtime's JSON and Span types.
        foreach (var shared in new[] { "System.Text.Json", "System.Memory", "System.Runtime" })
        {
            Assert.Equal("Default", loaded[shared].Context);
            Assert.StartsWith(RuntimeDirectory, loaded[shared].Location, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Nothing_from_module_Dependencies_but_the_isolation_assembly_loads_into_the_default_context()
    {
        Connect();
        Run("New-HailuoVideo -Prompt 'A kite over a hill' | Wait-HailuoJob | Save-HailuoVideo -Path ./videos").AssertNoErrors();

        var fromDependencies = Loaded().All.Where(a => a.Location.StartsWith(Dependencies, StringComparison.Ordinal)).ToList();

        Assert.Contains(fromDependencies, a => a.Name == "Hailuo");
        Assert.All(fromDependencies.Where(a => a.Name != IsolationAssemblyName), a => Assert.NotEqual("Default", a.Context));
    }

    [Fact]
    public void Removed_and_imported_again_the_module_works_and_keeps_one_engine()
    {
        Connect();
        Run("New-HailuoVideo -Prompt 'A kite over a hill' | Wait-HailuoJob").AssertNoErrors();
        var before = Loaded()["Hailuo"];

        Run("param($Manifest) Remove-Module Hailuo; Import-Module $Manifest -ErrorAction Stop", new { Manifest = RepoPaths.Manifest }).AssertNoErrors();
        Connect();
        Run("New-HailuoVideo -Prompt 'A heron in the reeds' | Wait-HailuoJob").AssertNoErrors();

        var after = Loaded();
        Assert.Equal(before, after["Hailuo"]);
        Assert.Equal(RepoPaths.InModule("Hailuo.PowerShell.dll"), after["Hailuo.PowerShell"].Location);
    }

    [Fact]
    public void The_isolation_assembly_targets_the_net8_of_PowerShell_7_4_and_only_the_cmdlet_assembly_is_in_the_module_root()
    {
        var isolation = Assert.Single(Run("[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Hailuo.PowerShell.Isolation' }")
            .AssertNoErrors().Output);

        Assert.Equal(".NETCoreApp,Version=v8.0", ((Assembly)isolation.BaseObject).GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName);
        Assert.Equal([RepoPaths.InModule("Hailuo.PowerShell.dll")], Directory.GetFiles(RepoPaths.ModuleFolder, "*.dll"));
    }

    [Fact]
    public void The_Windows_PowerShell_allow_list_names_exactly_what_ships_in_module_Dependencies()
    {
        var allowed = AllowList();
        var shipped = Directory.GetFiles(Dependencies, "*.dll")
            .Select(path => AssemblyName.GetAssemblyName(path).Name!)
            .Where(name => name != IsolationAssemblyName)
            .Order(StringComparer.OrdinalIgnoreCase);

        Assert.Equal(shipped, allowed.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
        Assert.Equal(allowed.Count, allowed.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Theory]
    [InlineData("System.Text.Json, Version=4.0.1.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51", "System.Text.Json")]
    [InlineData("System.Memory, Version=4.0.1.1, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51", "System.Memory")]
    [InlineData("Hailuo", "Hailuo")]
    [InlineData("hailuo, Version=0.0.0.0", "Hailuo")]
    [InlineData("Polly.Core, Version=99.0.0.0, Culture=neutral, PublicKeyToken=c8a3ffc3f8f825cc", "Polly.Core")]
    public void Windows_PowerShell_would_get_an_allow_listed_assembly_by_simple_name_whatever_version_it_asks_for(string requested, string file) =>
        Assert.Equal(Path.Combine(Dependencies, file + ".dll"), AllowListedPath(Dependencies, requested));

    [Theory]
    [InlineData("Newtonsoft.Json, Version=13.0.0.0, Culture=neutral, PublicKeyToken=30ad4fe6b2a6aeed")]
    [InlineData("Hailuo.PowerShell.Isolation")]
    [InlineData("Hailuo.resources, Version=0.1.0.0, Culture=de, PublicKeyToken=null")]
    [InlineData("System.Management.Automation, Version=3.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35")]
    [InlineData("not, an = assembly, name ,,")]
    public void Windows_PowerShell_would_get_nothing_that_is_not_allow_listed(string requested) =>
        Assert.Null(AllowListedPath(Dependencies, requested));

    [Fact]
    public void Windows_PowerShell_would_get_nothing_for_an_allowed_name_that_is_not_on_disk() =>
        Assert.Null(AllowListedPath(Home.Work, "System.Text.Json"));

    private static string RuntimeDirectory => Path.GetDirectoryName(typeof(object).Assembly.Location)!;

    /// <summary>The assemblies loaded in the process, as the runspace sees them, with their load context's name and their file.</summary>
    private LoadedAssemblies Loaded() => new(Run("""
        [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { -not $_.IsDynamic } | ForEach-Object {
            [pscustomobject]@{ Name = $_.GetName().Name; Context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name; Location = $_.Location }
        }
        """).AssertNoErrors().Output.Select(a => new LoadedAssembly(a.Text("Name")!, a.Text("Context")!, a.Text("Location") ?? "")).ToList());

    private sealed record LoadedAssembly(string Name, string Context, string Location);

    private sealed class LoadedAssemblies(List<LoadedAssembly> all)
    {
        public IReadOnlyList<LoadedAssembly> All => all;

        /// <summary>The one assembly of that name: two would be two copies of it in the process.</summary>
        public LoadedAssembly this[string name] => Assert.Single(all, a => a.Name == name);
    }

    /// <summary>The module initializer's type, as the imported module loaded it.</summary>
    private Type ModuleInitializer() =>
        Assert.IsAssignableFrom<Type>(Assert.Single(Run("(Get-Module Hailuo).ImplementingAssembly.GetType('Hailuo.PowerShell.ModuleInitializer', $true)")
            .AssertNoErrors().Output).BaseObject);

    private IReadOnlyList<string> AllowList() =>
        (IReadOnlyList<string>)ModuleInitializer().GetField("WindowsPowerShellAllowList", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    /// <summary>The 5.1 resolver's choice, which this PowerShell 7 process can only ask of the loaded type by reflection.</summary>
    private string? AllowListedPath(string directory, string requested) =>
        (string?)ModuleInitializer().GetMethod("AllowListedPath", BindingFlags.NonPublic | BindingFlags.Static)!.Invoke(null, [directory, requested]);
}
