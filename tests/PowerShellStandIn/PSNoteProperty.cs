namespace System.Management.Automation;

public class PSNoteProperty : PSPropertyInfo
{
    public PSNoteProperty(string name, object value)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentNullException(nameof(name));
        }
        SetMemberName(name);
        Value = value;
    }

    public override object Value { get; set; }
}
