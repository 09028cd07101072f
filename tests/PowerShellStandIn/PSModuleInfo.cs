namespace System.Management.Automation;

/// <summary>Only a type here: nothing under test reads a module's information.</summary>
public sealed class PSModuleInfo
{
    private PSModuleInfo()
    {
    }
}
