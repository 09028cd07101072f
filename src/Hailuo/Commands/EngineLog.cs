using System;
using System.Collections.Generic;

namespace Hailuo.Commands;

/// <summary>
/// Carries the engine's log (retries, reused or recovered jobs, download details) to the commands running now.
/// The clients are shared by every command of the session and log from background threads, so a message
/// goes, once, through the pump that the pipeline thread served last: in
/// <c>New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo</c> that is whichever command is writing now,
/// including Wait's and Save's ends after New has finished. Each line goes to the stream of its level:
/// warning, verbose (-Verbose) or debug (-Debug).
/// </summary>
public sealed class EngineLog
{
    private readonly object _gate = new();
    private readonly List<PipelinePump> _running = new();

    /// <summary>The process's log, which every command's pump joins and the session's clients write to.</summary>
    public static EngineLog Shared { get; } = new();

    internal void Attach(PipelinePump pump)
    {
        lock (_gate)
        {
            _running.Add(pump);
        }
    }

    internal void Detach(PipelinePump pump)
    {
        lock (_gate)
        {
            _running.Remove(pump);
        }
    }

    public void Write(HailuoLogLevel level, string message)
    {
        PipelinePump? target;
        lock (_gate)
        {
            target = null;
            foreach (var pump in _running)
            {
                if (target is null || pump.LastDrained > target.LastDrained)
                {
                    target = pump;
                }
            }
        }
        if (target is null)
        {
            return; // no command is running to show it: a log line is never worth failing for
        }
        try
        {
            target.Post(level switch
            {
                HailuoLogLevel.Warning => output => output.WriteWarning(message),
                HailuoLogLevel.Debug => output => output.WriteDebug(message),
                _ => output => output.WriteVerbose(message),
            });
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            // The command ended between the lookup and the post.
        }
    }
}
