using Hailuo.Bench;
using Hailuo.Reliability;

// A child verb (the batch a crash test kills, for instance) runs instead of the harness.
if (args.Length > 0 && ReliabilitySuite.ChildVerbs.TryGetValue(args[0], out var child))
{
    return await child(args[1..]);
}

return await Harness.RunAsync(ReliabilitySuite.Spec, ReliabilitySuite.Sections(), args, TimeSpan.FromMinutes(80));
