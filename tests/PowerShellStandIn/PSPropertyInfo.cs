namespace System.Management.Automation;

public abstract class PSPropertyInfo : PSMemberInfo
{
    protected PSPropertyInfo()
    {
    }
}
