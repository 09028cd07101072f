namespace System.Management.Automation;

public readonly struct SwitchParameter
{
    public SwitchParameter(bool isPresent)
    {
        IsPresent = isPresent;
    }

    public bool IsPresent { get; }

    public bool ToBool() => IsPresent;
}
