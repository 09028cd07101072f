namespace System.Management.Automation;

/// <summary>Only a type here: the transformations under test must work without one.</summary>
public class EngineIntrinsics
{
    private EngineIntrinsics()
    {
    }
}
