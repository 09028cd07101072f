using System.Management.Automation.Runspaces;
using Hailuo.Commands;

namespace Hailuo.PowerShell.Common;

/// <summary>
/// The connection belongs to the runspace, as anything a user sets with Connect-* does: thread jobs,
/// ForEach-Object -Parallel and hosting applications run several runspaces in one process, and none may
/// see another's base URI or key. A runspace's session is closed when the runspace is.
/// </summary>
internal static class RunspaceSession
{
    /// <summary>The session of the runspace running the calling cmdlet (only the pipeline thread may ask).</summary>
    public static HailuoSession Current
    {
        get
        {
            var runspace = Runspace.DefaultRunspace;
            return HailuoSession.For(runspace, session => runspace.StateChanged += (_, e) =>
            {
                if (e.RunspaceStateInfo.State is RunspaceState.Closed or RunspaceState.Broken)
                {
                    session.Dispose();
                }
            });
        }
    }
}
