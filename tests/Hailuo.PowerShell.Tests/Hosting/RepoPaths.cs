namespace Hailuo.PowerShell.Tests.Hosting;

/// <summary>Finds files of the repository from the test's output folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The module every build lays out (src/Hailuo.PowerShell/Module.targets): <c>Import-Module ./out/Hailuo</c>.</summary>
    public static string ModuleFolder => Combine("out", "Hailuo");

    /// <summary>The laid-out copy of the root Hailuo.psd1, beside the files it names.</summary>
    public static string Manifest => InModule("Hailuo.psd1");

    /// <summary>A file of the laid-out module.</summary>
    public static string InModule(params string[] parts) => Path.Combine([ModuleFolder, .. parts]);

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Hailuo.sln")) && File.Exists(Path.Combine(dir.FullName, "Hailuo.psd1")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("The repository root (with Hailuo.sln and Hailuo.psd1) is not above the test output folder.");
    }
}
