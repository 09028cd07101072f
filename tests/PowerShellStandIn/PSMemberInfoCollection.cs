using System.Collections;
using System.Collections.Generic;

namespace System.Management.Automation;

public abstract class PSMemberInfoCollection<T> : IEnumerable<T>
    where T : PSMemberInfo
{
    protected PSMemberInfoCollection()
    {
    }

    /// <summary>The member of that name (any case), or null.</summary>
    public abstract T this[string name] { get; }

    public abstract void Add(T member);

    public abstract IEnumerator<T> GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
