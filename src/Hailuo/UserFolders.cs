using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Hailuo;

/// <summary>
/// Where the module keeps a user's files: the job ledger (data) and the saved connection (configuration). One place,
/// so that the two agree on what Windows is and on which XDG variables count.
/// </summary>
public static class UserFolders
{
    /// <summary>HAILUO_DATA_HOME, else %LOCALAPPDATA%\Hailuo on Windows, else $XDG_DATA_HOME/hailuo or ~/.local/share/hailuo.</summary>
    public static string DataFile(string fileName) =>
        Path.Combine(Folder("HAILUO_DATA_HOME", Environment.SpecialFolder.LocalApplicationData, "LOCALAPPDATA", "XDG_DATA_HOME", Path.Combine(".local", "share")), fileName);

    /// <summary>HAILUO_CONFIG_HOME, else %APPDATA%\Hailuo on Windows, else $XDG_CONFIG_HOME/hailuo or ~/.config/hailuo.</summary>
    public static string ConfigFile(string fileName) =>
        Path.Combine(Folder("HAILUO_CONFIG_HOME", Environment.SpecialFolder.ApplicationData, "APPDATA", "XDG_CONFIG_HOME", ".config"), fileName);

    private static string Folder(string overrideVariable, Environment.SpecialFolder windowsFolder, string windowsVariable, string xdgVariable, string homeRelative)
    {
        var overridden = Environment.GetEnvironmentVariable(overrideVariable);
        if (!string.IsNullOrWhiteSpace(overridden))
        {
            return overridden!;
        }
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            var windows = Environment.GetEnvironmentVariable(windowsVariable);
            if (string.IsNullOrWhiteSpace(windows))
            {
                windows = Environment.GetFolderPath(windowsFolder);
            }
            return Path.Combine(windows!, "Hailuo");
        }
        // The XDG base directory spec says a relative path is invalid and must be ignored.
        var xdg = Environment.GetEnvironmentVariable(xdgVariable);
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg!, "hailuo");
        }
        var home = Environment.GetEnvironmentVariable("HOME");
        if (string.IsNullOrWhiteSpace(home))
        {
            home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        }
        return Path.Combine(home!, homeRelative, "hailuo");
    }
}
