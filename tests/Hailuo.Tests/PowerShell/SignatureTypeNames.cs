using System.Collections.Immutable;
using System.Reflection.Metadata;

namespace Hailuo.Tests.PowerShell;

/// <summary>
/// Decodes member signatures into readable type names, and notes every referenced type whose assembly is in
/// <see cref="Watched"/>, as "Namespace.Type [Assembly]".
/// </summary>
internal sealed class SignatureTypeNames : ISignatureTypeProvider<string, object?>
{
    private readonly MetadataReader _reader;

    public SignatureTypeNames(MetadataReader reader, IReadOnlySet<string> watched)
    {
        _reader = reader;
        Watched = watched;
    }

    public IReadOnlySet<string> Watched { get; }

    public HashSet<string> Found { get; } = new(StringComparer.Ordinal);

    /// <summary>The simple name of the assembly a type reference points into, or null for this assembly.</summary>
    public static string? AssemblyOf(MetadataReader reader, TypeReferenceHandle handle)
    {
        var scope = reader.GetTypeReference(handle).ResolutionScope;
        return scope.Kind switch
        {
            HandleKind.AssemblyReference => reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)scope).Name),
            HandleKind.TypeReference => AssemblyOf(reader, (TypeReferenceHandle)scope),
            _ => null,
        };
    }

    public static string NameOf(MetadataReader reader, TypeReferenceHandle handle)
    {
        var type = reader.GetTypeReference(handle);
        var name = reader.GetString(type.Name);
        return type.ResolutionScope.Kind == HandleKind.TypeReference
            ? NameOf(reader, (TypeReferenceHandle)type.ResolutionScope) + "+" + name
            : reader.GetString(type.Namespace) + "." + name;
    }

    public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
    {
        var name = NameOf(reader, handle);
        if (AssemblyOf(reader, handle) is { } assembly && Watched.Contains(assembly))
        {
            Found.Add($"{name} [{assembly}]");
        }
        return name;
    }

    public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
    {
        var type = reader.GetTypeDefinition(handle);
        return reader.GetString(type.Namespace) + "." + reader.GetString(type.Name);
    }

    public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
        reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

    public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();

    public string GetSZArrayType(string elementType) => elementType + "[]";

    public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";

    public string GetByReferenceType(string elementType) => elementType + "&";

    public string GetPointerType(string elementType) => elementType + "*";

    public string GetPinnedType(string elementType) => elementType;

    public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;

    public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) =>
        genericType + "<" + string.Join(", ", typeArguments) + ">";

    public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index;

    public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index;

    public string GetFunctionPointerType(MethodSignature<string> signature) => "method*";

    /// <summary>The name of the type a member reference belongs to, noting it as the others.</summary>
    public string ParentOf(MemberReference member) => member.Parent.Kind switch
    {
        HandleKind.TypeReference => GetTypeFromReference(_reader, (TypeReferenceHandle)member.Parent, 0),
        HandleKind.TypeSpecification => GetTypeFromSpecification(_reader, null, (TypeSpecificationHandle)member.Parent, 0),
        _ => "",
    };
}
