using Hailuo.Reliability;
using Hailuo.TestLab;

// A scenario's child process (the batch a crash test kills, for instance) starts this program with a verb.
[assembly: ChildVerbHost]

if (ReliabilitySuite.RunChild(args) is { } child)
{
    return await child;
}

return await Harness.RunAsync(ReliabilitySuite.Spec, ReliabilitySuite.Sections(), args, TimeSpan.FromMinutes(80));
