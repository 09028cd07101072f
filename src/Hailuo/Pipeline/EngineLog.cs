using System;
using System.Threading;

namespace Hailuo.Pipeline;

/// <summary>
/// Carries the engine's log (retries, reused or recovered jobs, download details) to the command that
/// caused it. Clients are shared by every pipeline of an account, and log from background tasks, so a
/// line cannot go to "the command running now": each command enters its pump as the route for the
/// work it starts (<see cref="Enter"/>), the route flows with that work through every await, and a
/// line goes to the pump of the flow that wrote it. The account's shared tracker starts its loop with no
/// route and reads each job in the context of the command that tracked it last (src/Hailuo/Tracking/JobTracker.cs),
/// so a job's retries reach the pipeline waiting for it. Work started by no command (no route) is logged
/// nowhere: a log line is never worth failing for. Each line goes to the stream of its level:
/// warning, verbose (-Verbose) or debug (-Debug). The route is process-wide state: docs/architecture.md.
/// </summary>
public static class EngineLog
{
    // Process-wide holder of a per-flow value (docs/architecture.md).
    private static readonly AsyncLocal<PipelinePump?> Route = new();

    /// <summary>
    /// Makes <paramref name="pump"/> the destination of lines from work this flow starts, until the
    /// returned scope is disposed (on the same thread, as <c>using</c> does).
    /// </summary>
    public static IDisposable Enter(PipelinePump pump)
    {
        var previous = Route.Value;
        Route.Value = pump;
        return new Scope(previous);
    }

    /// <summary>The log delegate a connection gives its clients.</summary>
    public static void Write(HailuoLogLevel level, string message)
    {
        if (Route.Value is not { } pump)
        {
            return;
        }
        pump.Post(level switch
        {
            HailuoLogLevel.Warning => output => output.WriteWarning(message),
            HailuoLogLevel.Debug => output => output.WriteDebug(message),
            _ => output => output.WriteVerbose(message),
        });
    }

    private sealed class Scope(PipelinePump? previous) : IDisposable
    {
        public void Dispose() => Route.Value = previous;
    }
}
