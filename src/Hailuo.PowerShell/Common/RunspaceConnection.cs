using System.Management.Automation.Runspaces;
using Hailuo.Connection;

namespace Hailuo.PowerShell.Common;

/// <summary>
/// The connection belongs to the runspace, as anything a user sets with Connect-* does: thread jobs,
/// ForEach-Object -Parallel and hosting applications run several runspaces in one process, and none may
/// see another's base URI or key. Finds the runspace's <see cref="HailuoConnection"/> (made on first use) and
/// closes it when the runspace closes; clients of the same key in different runspaces still share one account
/// (src/Hailuo/SharedAccount.cs).
/// </summary>
internal static class RunspaceConnection
{
    /// <summary>The connection of the runspace running the calling cmdlet (only the pipeline thread may ask).</summary>
    public static HailuoConnection Current
    {
        get
        {
            var runspace = Runspace.DefaultRunspace;
            return HailuoConnection.For(runspace, connection => runspace.StateChanged += (_, e) =>
            {
                if (e.RunspaceStateInfo.State is RunspaceState.Closed or RunspaceState.Broken)
                {
                    connection.Dispose();
                }
            });
        }
    }
}
