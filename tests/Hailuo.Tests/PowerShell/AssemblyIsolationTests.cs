using System.Reflection;
using System.Runtime.Loader;
using System.Runtime.Versioning;
using Hailuo.PowerShell;

namespace Hailuo.Tests.PowerShell;

/// <summary>
/// Design notes §4 on the published layout. The load context and the hooks are process-wide, so these tests
/// share one class and run one at a time.
/// </summary>
public sealed class AssemblyIsolationTests
{
    private const string IsolationTypeName = "Hailuo.PowerShell.Isolation.DependencyLoadContext";

    [Fact]
    public void The_Windows_PowerShell_allow_list_is_exactly_what_ships_in_module_Dependencies()
    {
        var shipped = ModuleLayout.DependencyAssemblies().Keys
            .Where(name => name != ModuleLayout.IsolationAssemblyName)
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToArray();
        var allowed = ModuleInitializer.WindowsPowerShellAllowList.Order(StringComparer.OrdinalIgnoreCase).ToArray();

        Assert.True(
            shipped.SequenceEqual(allowed, StringComparer.OrdinalIgnoreCase),
            $"ModuleInitializer.WindowsPowerShellAllowList must name exactly the assemblies in {ModuleLayout.DependencyDirectory}. " +
            $"Shipped but not allowed: [{string.Join(", ", shipped.Except(allowed, StringComparer.OrdinalIgnoreCase))}]; " +
            $"allowed but not shipped: [{string.Join(", ", allowed.Except(shipped, StringComparer.OrdinalIgnoreCase))}].");
        Assert.Equal(allowed.Length, allowed.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void The_isolation_assembly_ships_in_Dependencies_built_for_the_net8_that_PowerShell_7_4_runs_on()
    {
        var isolation = IsolationAssembly();
        Assert.Equal(".NETCoreApp,Version=v8.0", isolation.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName);
        Assert.False(File.Exists(Path.Combine(ModuleLayout.ModuleDirectory, ModuleLayout.IsolationAssemblyName + ".dll")));
        Assert.False(File.Exists(Path.Combine(ModuleLayout.ModuleDirectory, "Hailuo.dll")));
    }

    [Fact]
    public void The_load_context_loads_the_engine_and_what_the_framework_lacks_privately_and_shares_the_framework()
    {
        var directory = ModuleLayout.RequireDependencyDirectory();
        var context = (AssemblyLoadContext)Activator.CreateInstance(IsolationType(), directory)!;

        var engine = context.LoadFromAssemblyName(new AssemblyName("Hailuo"));

        Assert.Same(context, AssemblyLoadContext.GetLoadContext(engine));
        Assert.Equal(Path.Combine(directory, "Hailuo.dll"), engine.Location);
        // What the engine asks for binds through its own context, as the runtime does when its code runs.
        var bound = engine.GetReferencedAssemblies().ToDictionary(name => name.Name!, context.LoadFromAssemblyName);
        // Polly.Core is not part of .NET: ours, in isolation, whatever another module loaded.
        Assert.Same(context, AssemblyLoadContext.GetLoadContext(bound["Polly.Core"]));
        Assert.Equal(Path.Combine(directory, "Polly.Core.dll"), bound["Polly.Core"].Location);
        // System.Text.Json and the System.Memory family are: the runtime's copy (at least the 8.0 we were
        // built against) is shared, so the engine sees the runtime's Span and JSON types, not polyfills.
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(bound["System.Text.Json"]));
        Assert.True(bound["System.Text.Json"].GetName().Version >= new Version(8, 0, 0, 0));
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(bound["System.Memory"]));
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(bound["netstandard"]));
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(context.LoadFromAssemblyName(new AssemblyName("System.Runtime"))));
        // And a type of the engine really works from there, with the shared JSON types.
        var jsonType = engine.GetType("Hailuo.Transport.Json", throwOnError: true)!;
        var usesJson = jsonType.GetMethods().SelectMany(m => m.GetParameters()).First(p => p.ParameterType.Namespace == "System.Text.Json");
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(usesJson.ParameterType.Assembly));
    }

    [Fact]
    public void Install_is_idempotent_refuses_a_second_folder_and_Uninstall_unhooks()
    {
        var directory = ModuleLayout.RequireDependencyDirectory();
        var type = IsolationType();
        var install = type.GetMethod("Install", [typeof(string)])!;
        var uninstall = type.GetMethod("Uninstall", Type.EmptyTypes)!;
        var installed = type.GetProperty("Installed")!;
        try
        {
            install.Invoke(null, [directory]);
            var context = installed.GetValue(null);
            Assert.NotNull(context);
            install.Invoke(null, [directory + Path.DirectorySeparatorChar]);
            Assert.Same(context, installed.GetValue(null));

            var other = Assert.Throws<TargetInvocationException>(() => install.Invoke(null, [Path.GetTempPath()]));
            Assert.IsType<InvalidOperationException>(other.InnerException);
            Assert.Same(context, installed.GetValue(null));

            uninstall.Invoke(null, null);
            Assert.Null(installed.GetValue(null));
            uninstall.Invoke(null, null);

            // Imported again: the same context, since what it loaded cannot be unloaded.
            install.Invoke(null, [directory]);
            Assert.Same(context, installed.GetValue(null));
        }
        finally
        {
            uninstall.Invoke(null, null);
        }
    }

    [Fact]
    public void The_module_initializer_installs_the_load_context_on_PowerShell_7_and_removes_it()
    {
        var directory = ModuleLayout.RequireDependencyDirectory();
        var installed = IsolationType().GetProperty("Installed")!;
        Assert.False(ModuleInitializer.IsNetFramework);
        try
        {
            ModuleInitializer.Install(ModuleLayout.ModuleDirectory, netFramework: false);
            ModuleInitializer.Install(ModuleLayout.ModuleDirectory, netFramework: false);
            var context = installed.GetValue(null);
            Assert.NotNull(context);
            Assert.Equal(directory, context.GetType().GetProperty("DependencyDirectory")!.GetValue(context));
        }
        finally
        {
            ModuleInitializer.Uninstall();
        }
        Assert.Null(installed.GetValue(null));
    }

    [Fact]
    public void The_module_initializer_says_what_is_missing_when_the_isolation_assembly_is_not_there()
    {
        var empty = Directory.CreateTempSubdirectory("hailuo-no-module").FullName;
        try
        {
            var error = Assert.Throws<FileNotFoundException>(() => ModuleInitializer.Install(empty, netFramework: false));
            Assert.Contains(ModuleLayout.IsolationAssemblyName, error.Message);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Theory]
    [InlineData("System.Text.Json, Version=4.0.1.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51", "System.Text.Json")]
    [InlineData("System.Memory, Version=4.0.1.1, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51", "System.Memory")]
    [InlineData("Hailuo", "Hailuo")]
    [InlineData("hailuo, Version=0.0.0.0", "Hailuo")]
    [InlineData("Polly.Core, Version=99.0.0.0, Culture=neutral, PublicKeyToken=c8a3ffc3f8f825cc", "Polly.Core")]
    public void Windows_PowerShell_gets_an_allow_listed_assembly_by_simple_name_whatever_version_it_asks_for(string requested, string file) =>
        Assert.Equal(
            Path.Combine(ModuleLayout.RequireDependencyDirectory(), file + ".dll"),
            ModuleInitializer.AllowListedPath(ModuleLayout.DependencyDirectory, requested),
            ignoreCase: true);

    [Theory]
    [InlineData("Newtonsoft.Json, Version=13.0.0.0, Culture=neutral, PublicKeyToken=30ad4fe6b2a6aeed")]
    [InlineData("Hailuo.PowerShell.Isolation")]
    [InlineData("Hailuo.resources, Version=0.1.0.0, Culture=de, PublicKeyToken=null")]
    [InlineData("System.Management.Automation, Version=3.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35")]
    [InlineData("not, an = assembly, name ,,")]
    public void Windows_PowerShell_gets_nothing_that_is_not_allow_listed(string requested) =>
        Assert.Null(ModuleInitializer.AllowListedPath(ModuleLayout.RequireDependencyDirectory(), requested));

    [Fact]
    public void Windows_PowerShell_gets_nothing_for_an_allowed_name_that_is_not_on_disk() =>
        Assert.Null(ModuleInitializer.AllowListedPath(Path.GetTempPath(), "System.Text.Json"));

    private static Assembly IsolationAssembly() =>
        Assembly.LoadFrom(Path.Combine(ModuleLayout.RequireDependencyDirectory(), ModuleLayout.IsolationAssemblyName + ".dll"));

    private static Type IsolationType() => IsolationAssembly().GetType(IsolationTypeName, throwOnError: true)!;
}
