using System.Management.Automation;
using Hailuo.PowerShell.Common;

namespace Hailuo.PowerShell.Commands;

/// <summary>Shows the provider, endpoint and credential source in use; never the key.</summary>
[Cmdlet(VerbsCommon.Get, "HailuoConnection", HelpUri = HelpLinks.Base + "Get-HailuoConnection.md")]
[OutputType(typeof(HailuoConnectionInfo))]
public sealed class GetHailuoConnectionCommand : HailuoCmdlet
{
    protected override void EndProcessing() => Run(() => WriteObject(ConnectionInfo.Current()));
}
