using Hailuo.Bench;
using Hailuo.Bench.Benchmarks;

// The 10,000-job client runs in a child process of its own, so that its CPU and memory are not the emulator's.
if (args.Length > 0 && args[0] == ScaleBench.ChildVerb)
{
    return await ScaleBench.RunChildAsync(args[1..]);
}

IBenchmark[] all = [new BatchBench(), new PollingBench(), new DownloadBench(), new ScaleBench()];

return await Harness.RunAsync(BenchSuite.Spec, all, args, TimeSpan.FromMinutes(30));
