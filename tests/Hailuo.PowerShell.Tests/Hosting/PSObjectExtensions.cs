using System.Management.Automation;

namespace Hailuo.PowerShell.Tests.Hosting;

/// <summary>Reads an output object's properties as a script does with <c>$_.Name</c>: adapted, note and script properties alike.</summary>
public static class PSObjectExtensions
{
    /// <summary>The property's value, unwrapped from its PSObject; a failure naming the properties there are when it has none of that name.</summary>
    public static object? Property(this PSObject item, string name)
    {
        var property = item.Properties[name]
            ?? throw new Xunit.Sdk.XunitException($"The object has no property '{name}'; it has: {string.Join(", ", item.Properties.Select(p => p.Name))}.");
        return property.Value is PSObject wrapped ? wrapped.BaseObject : property.Value;
    }

    /// <summary>The property's value as text, or null.</summary>
    public static string? Text(this PSObject item, string name) => item.Property(name)?.ToString();
}
