using System.Reflection;

namespace Hailuo.Reliability;

/// <summary>
/// Marks the program a scenario's child process runs as: an executable whose entry point hands its arguments to
/// <see cref="ReliabilitySuite.RunChild"/>. This library has no entry point of its own, so the reliability program
/// (tests/Hailuo.Reliability/Program.cs) and the xunit assembly (tests/Hailuo.Tests/ChildProgram.cs) each carry one.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class ChildVerbHostAttribute : Attribute;

/// <summary>Finds the program that runs child verbs in this process: the entry assembly, or the test assembly a test host loaded.</summary>
public static class ChildHost
{
    /// <summary>The marked assembly's path; throws when no loaded assembly is marked.</summary>
    public static string AssemblyPath()
    {
        var entry = Assembly.GetEntryAssembly();
        var host = entry is not null && entry.IsDefined(typeof(ChildVerbHostAttribute))
            ? entry
            : AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.IsDefined(typeof(ChildVerbHostAttribute)));
        return host?.Location ?? throw new InvalidOperationException(
            "No program in this process runs child verbs: mark it [assembly: ChildVerbHost] and hand its arguments to ReliabilitySuite.RunChild.");
    }
}
