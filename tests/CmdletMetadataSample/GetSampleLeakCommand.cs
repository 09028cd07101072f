using System.Management.Automation;
using Hailuo.Models;

namespace CmdletMetadataSample;

/// <summary>Shows an engine type in a public signature, which the harness's leak check must report.</summary>
[Cmdlet(VerbsCommon.Get, "SampleLeak")]
public sealed class GetSampleLeakCommand : Cmdlet
{
    [Parameter]
    public HailuoJob? Job { get; set; }
}
