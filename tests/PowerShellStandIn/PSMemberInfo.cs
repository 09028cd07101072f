namespace System.Management.Automation;

public abstract class PSMemberInfo
{
    protected PSMemberInfo()
    {
    }

    public string Name { get; private set; } = "";

    public abstract object Value { get; set; }

    protected void SetMemberName(string name) => Name = name;
}
