using System.Management.Automation;
using Hailuo.Connection;
using Hailuo.PowerShell.Common;

namespace Hailuo.PowerShell.Commands;

/// <summary>Forgets the key and the saved connection settings.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "Hailuo", HelpUri = HelpLinks.Base + "Disconnect-Hailuo.md")]
[OutputType(typeof(void))]
public sealed class DisconnectHailuoCommand : HailuoCmdlet
{
    protected override void EndProcessing() => Run(() =>
    {
        RunspaceConnection.Current.Disconnect();
        ConnectionStore.Delete();
        Output().WriteVerbose("Disconnected: the key is forgotten and the saved settings are removed.");
    });
}
