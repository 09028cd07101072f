using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace System.Management.Automation;

/// <summary>A wrapper's properties: the note properties added to it, then the value's own public properties.</summary>
internal sealed class MemberCollection : PSMemberInfoCollection<PSPropertyInfo>
{
    private readonly object _value;
    private readonly List<PSPropertyInfo> _notes = new();

    public MemberCollection(object value)
    {
        _value = value;
    }

    public override PSPropertyInfo this[string name] =>
        _notes.FirstOrDefault(note => string.Equals(note.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? Adapted().FirstOrDefault(property => string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))!;

    public override void Add(PSPropertyInfo member)
    {
        if (this[member.Name] is not null)
        {
            // PowerShell refuses a second member of the same name: "The member X is already present."
            throw new ExtendedTypeSystemException($"The member {member.Name} is already present.");
        }
        _notes.Add(member);
    }

    public override IEnumerator<PSPropertyInfo> GetEnumerator() => Adapted().Concat(_notes).GetEnumerator();

    private IEnumerable<PSPropertyInfo> Adapted() =>
        _value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.GetIndexParameters().Length == 0)
            .Select(property => new AdaptedProperty(_value, property));
}
