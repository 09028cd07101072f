namespace Hailuo.Tests.PowerShell;

/// <summary>
/// The published module layout under module/ (see src/Hailuo.PowerShell/Module.targets), which several tests read.
/// It exists only after <c>dotnet publish src/Hailuo.PowerShell -c Release</c>, as CI runs before testing.
/// </summary>
public static class ModuleLayout
{
    public const string PublishCommand = "dotnet publish src/Hailuo.PowerShell -c Release";

    public const string IsolationAssemblyName = "Hailuo.PowerShell.Isolation";

    public static string ModuleDirectory => RepoPaths.Combine("module");

    public static string DependencyDirectory => RepoPaths.Combine("module", "Dependencies");

    public static string RootAssembly => RepoPaths.Combine("module", "Hailuo.PowerShell.dll");

    /// <summary>module/Dependencies, or a failure that says how to make it.</summary>
    public static string RequireDependencyDirectory() => RequireDependencyDirectory(ModuleDirectory);

    /// <summary>The Dependencies folder of the layout in <paramref name="moduleDirectory"/>, or a failure that says how to make it.</summary>
    public static string RequireDependencyDirectory(string moduleDirectory)
    {
        var dependencies = Path.Combine(moduleDirectory, "Dependencies");
        var root = Path.Combine(moduleDirectory, "Hailuo.PowerShell.dll");
        if (!Directory.Exists(dependencies) || !File.Exists(root))
        {
            Assert.Fail($"The module layout is missing ({dependencies} or {root}). Run `{PublishCommand}` first, then test again.");
        }
        return dependencies;
    }

    /// <summary>The .dll files in module/Dependencies by assembly simple name.</summary>
    public static IReadOnlyDictionary<string, string> DependencyAssemblies()
    {
        var directory = RequireDependencyDirectory();
        return Directory.GetFiles(directory, "*.dll")
            .ToDictionary(path => System.Reflection.AssemblyName.GetAssemblyName(path).Name!, path => path, StringComparer.OrdinalIgnoreCase);
    }
}
