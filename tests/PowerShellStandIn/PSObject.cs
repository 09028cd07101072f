namespace System.Management.Automation;

/// <summary>Wraps a value with extra members, as PowerShell does for everything on the pipeline.</summary>
public class PSObject
{
    private readonly MemberCollection _properties;

    public PSObject(object obj)
    {
        // PowerShell never nests wrappers: wrapping a PSObject wraps what it holds.
        BaseObject = obj is PSObject wrapped ? wrapped.BaseObject : obj ?? throw new ArgumentNullException(nameof(obj));
        _properties = new MemberCollection(BaseObject);
    }

    public object BaseObject { get; }

    /// <summary>The value's public instance properties (adapted) and the note properties added to this wrapper.</summary>
    public PSMemberInfoCollection<PSPropertyInfo> Properties => _properties;

    public static PSObject AsPSObject(object obj) => obj as PSObject ?? new PSObject(obj);

    public override string ToString() => BaseObject.ToString() ?? "";
}
