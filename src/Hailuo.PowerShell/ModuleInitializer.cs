using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Hailuo.PowerShell;

/// <summary>
/// Makes the engine in Dependencies/ beside this assembly loadable, without letting its dependencies clash with other
/// modules' (docs/architecture.md, Isolation). PowerShell calls <see cref="OnImport"/> when Import-Module loads this assembly, before any
/// cmdlet runs, and <see cref="OnRemove"/> on Remove-Module.
/// </summary>
/// <remarks>
/// This class must not name any engine type: the hooks it installs are what makes the engine loadable.
/// </remarks>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    /// <summary>The folder, beside this assembly, that holds the engine and its dependencies.</summary>
    public const string DependencyFolderName = "Dependencies";

    /// <summary>
    /// What Windows PowerShell 5.1 may load from the Dependencies folder, by simple name and whatever version
    /// is asked for: exactly the assemblies that ship there, bar the net8.0-only isolation assembly
    /// (a test holds this list to the published folder).
    /// </summary>
    public static readonly IReadOnlyList<string> WindowsPowerShellAllowList = Array.AsReadOnly(new[]
    {
        "Hailuo",
        "System.Text.Json",
        "System.Text.Encodings.Web",
        "System.Memory",
        "System.Buffers",
        "System.Numerics.Vectors",
        "System.Runtime.CompilerServices.Unsafe",
        "System.Threading.Tasks.Extensions",
        "Microsoft.Bcl.AsyncInterfaces",
        "Polly.Core",
        "Microsoft.Bcl.TimeProvider",
        "System.ComponentModel.Annotations",
    });

    internal const string IsolationAssemblyName = "Hailuo.PowerShell.Isolation";
    internal const string IsolationTypeName = "Hailuo.PowerShell.Isolation.DependencyLoadContext";

    // Simple names compare without case on .NET Framework; the file on disk has the listed spelling.
    private static readonly Dictionary<string, string> AllowListLookup =
        WindowsPowerShellAllowList.ToDictionary(name => name, name => name, StringComparer.OrdinalIgnoreCase);
    // Process-wide (docs/architecture.md): how this process loads the engine.
    private static readonly object Gate = new();
    private static Type? _isolation;
    private static ResolveEventHandler? _windowsPowerShellResolver;

    /// <summary>Whether this process runs on .NET Framework, that is, in Windows PowerShell 5.1.</summary>
    internal static bool IsNetFramework =>
        RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

    public void OnImport() => Install(ModuleDirectory(), IsNetFramework);

    public void OnRemove(PSModuleInfo psModuleInfo) => Uninstall();

    /// <summary>Hooks assembly resolution for the module in <paramref name="moduleDirectory"/>; calling it again does nothing.</summary>
    internal static void Install(string moduleDirectory, bool netFramework)
    {
        var dependencies = Path.Combine(moduleDirectory, DependencyFolderName);
        lock (Gate)
        {
            if (netFramework)
            {
                if (_windowsPowerShellResolver is null)
                {
                    _windowsPowerShellResolver = (_, args) => LoadAllowListed(dependencies, args.Name);
                    AppDomain.CurrentDomain.AssemblyResolve += _windowsPowerShellResolver;
                }
                return;
            }
            var isolationPath = RequireIsolationAssembly(dependencies);
            _isolation ??= Assembly.LoadFrom(isolationPath).GetType(IsolationTypeName, throwOnError: true)!;
            InvokeIsolation("Install", dependencies);
        }
    }

    /// <summary>Unhooks whatever <see cref="Install"/> hooked.</summary>
    internal static void Uninstall()
    {
        lock (Gate)
        {
            if (_windowsPowerShellResolver is not null)
            {
                AppDomain.CurrentDomain.AssemblyResolve -= _windowsPowerShellResolver;
                _windowsPowerShellResolver = null;
            }
            if (_isolation is not null)
            {
                InvokeIsolation("Uninstall");
            }
        }
    }

    /// <summary>
    /// The file Windows PowerShell should load for <paramref name="requestedAssembly"/> (a full or simple name):
    /// matched by simple name, any version, and only when allow-listed and present. Null otherwise.
    /// </summary>
    internal static string? AllowListedPath(string dependencyDirectory, string requestedAssembly)
    {
        string? name;
        try
        {
            name = new AssemblyName(requestedAssembly).Name;
        }
        catch (Exception e) when (e is ArgumentException or FileLoadException)
        {
            return null;
        }
        if (name is null || !AllowListLookup.TryGetValue(name, out var listed))
        {
            return null;
        }
        var path = Path.Combine(dependencyDirectory, listed + ".dll");
        return File.Exists(path) ? path : null;
    }

    private static Assembly? LoadAllowListed(string dependencyDirectory, string requestedAssembly) =>
        AllowListedPath(dependencyDirectory, requestedAssembly) is { } path ? Assembly.LoadFrom(path) : null;

    private static string ModuleDirectory() =>
        Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)
        ?? throw new InvalidOperationException("Hailuo.PowerShell.dll has no location on disk, so its Dependencies folder cannot be found.");

    private static string RequireIsolationAssembly(string dependencyDirectory)
    {
        // The isolation assembly is built for .NET 8, which PowerShell 7.4 runs on; older runtimes cannot load it.
        if (Environment.Version.Major < 8)
        {
            throw new PlatformNotSupportedException(
                $"Hailuo needs PowerShell 7.4 or later (or Windows PowerShell 5.1); this PowerShell runs on .NET {Environment.Version}.");
        }
        var path = Path.Combine(dependencyDirectory, IsolationAssemblyName + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"The Hailuo module is incomplete: {path} is missing. Reinstall the module.", path);
    }

    private static void InvokeIsolation(string methodName, params object[] arguments)
    {
        var parameterTypes = Array.ConvertAll(arguments, argument => argument.GetType());
        var method = _isolation!.GetMethod(methodName, BindingFlags.Public | BindingFlags.Static, null, parameterTypes, null)
            ?? throw new MissingMethodException(IsolationTypeName, methodName);
        try
        {
            method.Invoke(null, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            // Import-Module should show the real reason, not the reflection wrapper.
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
