using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace Hailuo.PowerShell.Isolation;

/// <summary>
/// The private load context of the Hailuo engine on PowerShell 7: the engine and the dependencies .NET
/// does not ship (Polly.Core, Microsoft.Bcl.TimeProvider) load here from the module's Dependencies folder,
/// so another module's copies cannot clash with ours. What the runtime provides at our version or later
/// (System.Text.Json, the System.Memory family) and anything not in the folder (System.Management.Automation)
/// falls through to the default context and is shared with PowerShell.
/// </summary>
/// <remarks>
/// Hailuo.PowerShell targets netstandard2.0 and cannot name this type: its module initializer loads this
/// assembly with Assembly.LoadFrom and calls <see cref="Install"/> and <see cref="Uninstall"/> through reflection,
/// so their names and signatures are part of the contract.
/// </remarks>
public sealed class DependencyLoadContext : AssemblyLoadContext
{
    /// <summary>The one assembly the default context is told about; everything it needs then loads in here.</summary>
    public const string EngineAssemblyName = "Hailuo";

    // Process-wide (docs/architecture.md): a process holds one engine.
    private static readonly object Gate = new();
    private static DependencyLoadContext? _context;
    private static bool _hooked;

    /// <param name="dependencyDirectory">The folder that holds the engine and its dependencies.</param>
    public DependencyLoadContext(string dependencyDirectory)
        : base("Hailuo.Dependencies", isCollectible: false)
    {
        if (string.IsNullOrWhiteSpace(dependencyDirectory))
        {
            throw new ArgumentException("The dependency folder is empty.", nameof(dependencyDirectory));
        }
        DependencyDirectory = Path.GetFullPath(dependencyDirectory);
    }

    /// <summary>The folder this context loads from, as a full path.</summary>
    public string DependencyDirectory { get; }

    /// <summary>
    /// Answers the default context's requests for the engine from <paramref name="dependencyDirectory"/>.
    /// Calling it again for the same folder does nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">Already installed for another folder: a process can hold one engine.</exception>
    public static void Install(string dependencyDirectory)
    {
        var directory = Path.GetFullPath(dependencyDirectory);
        lock (Gate)
        {
            if (_context is not null && !PathsEqual(_context.DependencyDirectory, directory))
            {
                // The default context remembers the engine it was given once; a second folder would never be asked.
                throw new InvalidOperationException(
                    $"The Hailuo engine is already loaded from {_context.DependencyDirectory}; start a new PowerShell session to load it from {directory}.");
            }
            _context ??= new DependencyLoadContext(directory);
            if (!_hooked)
            {
                Default.Resolving += ResolveEngine;
                _hooked = true;
            }
        }
    }

    /// <summary>Stops answering for the engine. What was loaded stays loaded: this context cannot unload.</summary>
    public static void Uninstall()
    {
        lock (Gate)
        {
            if (_hooked)
            {
                Default.Resolving -= ResolveEngine;
                _hooked = false;
            }
        }
    }

    /// <summary>Loads from the Dependencies folder when the assembly is there; null lets the default context answer.</summary>
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is not { Length: > 0 } name || FrameworkProvides(assemblyName))
        {
            return null;
        }
        var path = Path.Combine(DependencyDirectory, name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    /// <summary>
    /// The netstandard2.0 polyfills we ship (System.Memory, System.Text.Json, ...) are part of the
    /// runtime PowerShell 7 runs on: a framework copy at least as new as the one asked for is shared
    /// rather than loaded again, so the engine sees the runtime's Span, ValueTask and JSON types.
    /// Only what the framework lacks (the engine, Polly.Core, ...) loads here, in isolation.
    /// </summary>
    private static bool FrameworkProvides(AssemblyName requested)
    {
        if (!FrameworkAssemblies.Value.TryGetValue(requested.Name!, out var frameworkVersion))
        {
            return false;
        }
        return requested.Version is null || frameworkVersion >= requested.Version;
    }

    private static readonly Lazy<Dictionary<string, Version>> FrameworkAssemblies = new(() =>
    {
        // The runtime's own folder (beside System.Private.CoreLib), not the whole trusted list, which in a
        // host such as a test runner also holds the application's own dependencies.
        var versions = new Dictionary<string, Version>(StringComparer.OrdinalIgnoreCase);
        var runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location) ?? string.Empty;
        foreach (var path in Directory.Exists(runtimeDirectory) ? Directory.GetFiles(runtimeDirectory, "*.dll") : Array.Empty<string>())
        {
            try
            {
                var name = AssemblyName.GetAssemblyName(path);
                if (name.Name is { } simple && name.Version is { } version)
                {
                    versions[simple] = version;
                }
            }
            catch (Exception e) when (e is BadImageFormatException or FileNotFoundException or FileLoadException)
            {
                // Not a managed assembly: not something to share.
            }
        }
        return versions;
    });

    // Only the engine: the default context never sees our dependencies, so it cannot hand them to anyone else.
    private static Assembly? ResolveEngine(AssemblyLoadContext requester, AssemblyName assemblyName)
    {
        if (!string.Equals(assemblyName.Name, EngineAssemblyName, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        DependencyLoadContext? context;
        lock (Gate)
        {
            context = _hooked ? _context : null;
        }
        return context?.LoadFromAssemblyName(assemblyName);
    }

    private static bool PathsEqual(string a, string b) =>
        string.Equals(
            a.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar),
            b.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar),
            OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
