using System.Reflection;

namespace System.Management.Automation;

/// <summary>A .NET property of the wrapped value, as PowerShell's .NET adapter shows it.</summary>
internal sealed class AdaptedProperty : PSPropertyInfo
{
    private readonly object _target;
    private readonly PropertyInfo _property;

    public AdaptedProperty(object target, PropertyInfo property)
    {
        _target = target;
        _property = property;
        SetMemberName(property.Name);
    }

    public override object Value
    {
        get => _property.GetValue(_target)!;
        set => _property.SetValue(_target, value);
    }
}
