using System.Management.Automation;
using System.Reflection;

namespace Hailuo.Tests.PowerShell;

/// <summary>
/// tests/PowerShellStandIn may only implement what System.Management.Automation declares, exactly as declared:
/// otherwise a test could pass on an API PowerShell does not have.
/// </summary>
public sealed class StandInFidelityTests
{
    [Fact]
    public void Every_public_type_and_member_of_the_stand_in_is_declared_alike_by_the_reference_assembly()
    {
        var runtime = Directory.GetFiles(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "*.dll");
        using var referenceContext = new MetadataLoadContext(new PathAssemblyResolver(runtime.Append(CmdletMetadata.ReferenceAssemblyPath)));
        using var standInContext = new MetadataLoadContext(new PathAssemblyResolver(runtime.Append(typeof(PSObject).Assembly.Location)));
        var reference = referenceContext.LoadFromAssemblyPath(CmdletMetadata.ReferenceAssemblyPath);
        var standIn = standInContext.LoadFromAssemblyPath(typeof(PSObject).Assembly.Location);
        Assert.Equal(reference.GetName().FullName, standIn.GetName().FullName);

        var differences = new List<string>();
        var standInTypes = standIn.GetExportedTypes();
        Assert.NotEmpty(standInTypes);
        foreach (var type in standInTypes)
        {
            var declared = reference.GetType(type.FullName!);
            if (declared is null)
            {
                differences.Add($"{type.FullName} is not a type of System.Management.Automation.");
                continue;
            }
            if (Kind(type) != Kind(declared))
            {
                differences.Add($"{type.FullName} is a {Kind(type)} here but a {Kind(declared)} in System.Management.Automation.");
            }
            var declaredMembers = Members(declared).ToHashSet();
            differences.AddRange(Members(type).Where(member => !declaredMembers.Contains(member)).Select(member => $"{type.FullName}: {member} is not declared so."));
        }
        Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences));
    }

    private static string Kind(Type type) =>
        type.IsInterface ? "interface" : type.IsEnum ? "enum" : type.IsValueType ? "struct" : "class";

    // Public and protected members declared on the type, as signatures; enum members with their values.
    private static IEnumerable<string> Members(Type type)
    {
        const BindingFlags declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var member in type.GetMembers(declared))
        {
            switch (member)
            {
                case FieldInfo field when field.IsPublic && field.IsLiteral:
                    yield return $"const {field} = {field.GetRawConstantValue()}";
                    break;
                case FieldInfo field when field.IsPublic:
                    yield return $"field {field}";
                    break;
                case MethodBase method when method.IsPublic || method.IsFamily:
                    yield return $"{(method.IsStatic ? "static " : "")}{(method.IsPublic ? "public" : "protected")} {method}";
                    break;
            }
        }
    }
}
