using Hailuo.Reliability;

// The reliability scenarios that kill a batch (CrashScenario, SharedLedgerScenario) start this assembly as a child process.
[assembly: ChildVerbHost]

namespace Hailuo.Tests;

/// <summary>This assembly's entry point, for child processes only: the test runner never calls it (the project sets GenerateProgramFile to false).</summary>
internal static class ChildProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (ReliabilitySuite.RunChild(args) is { } child)
        {
            return await child;
        }
        await Console.Error.WriteLineAsync("This is a test assembly; run it with dotnet test. As a program it runs only a reliability scenario's child verb.");
        return 2;
    }
}
