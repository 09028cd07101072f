namespace Hailuo.PowerShell.Tests.Hosting;

/// <summary>Finds files of the repository from the test's output folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The manifest a user imports from a built clone: <c>Import-Module ./Hailuo.psd1</c>.</summary>
    public static string Manifest => Combine("Hailuo.psd1");

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
