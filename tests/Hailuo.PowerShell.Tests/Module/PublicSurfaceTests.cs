using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Module;

/// <summary>
/// No engine or dependency type in the cmdlet assembly's public surface, and no engine API used across the boundary
/// with a dependency's type in its signature: read by reflection off the types the imported module really loaded.
/// </summary>
/// <remarks>
/// PowerShell reflects over the cmdlets' surface at Import-Module, before the module initializer has hooked assembly
/// resolution; and on PowerShell 7 the engine binds its dependencies in its own context while the cmdlet assembly binds
/// the same names in the default one, so a dependency's type shared across the boundary is two types. A "dependency
/// type" is one an assembly in out/Hailuo/Dependencies defines (what Windows PowerShell 5.1 would load from there), or any
/// type of the module's private load context.
/// </remarks>
public sealed class PublicSurfaceTests : RunspaceTest
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Lazy<HashSet<string>> DependencyTypeNames = new(ReadDependencyTypeNames);

    private static readonly Type[] GenericStandIns = [typeof(object), typeof(MemoryStream), typeof(DayOfWeek)];

    [Fact]
    public void No_engine_or_dependency_type_shows_in_the_public_surface_of_the_cmdlet_assembly()
    {
        var assembly = CmdletAssembly();
        var cmdletTypes = Run("(Get-Command -Module Hailuo).ImplementingType").AssertNoErrors().Output.Select(o => (Type)o.BaseObject).ToList();
        var publicTypes = assembly.GetExportedTypes();

        Assert.Equal(8, cmdletTypes.Count);
        Assert.All(cmdletTypes, type => Assert.Contains(type, publicTypes));
        Assert.Empty(publicTypes.SelectMany(type => SurfaceLeaks(type)));
    }

    [Fact]
    public void The_surface_check_finds_the_engine_types_that_JobInfoConverter_keeps_internal()
    {
        var converter = CmdletAssembly().GetType("Hailuo.PowerShell.JobInfoConverter", throwOnError: true)!;

        var leaks = SurfaceLeaks(converter);

        Assert.False(converter.IsVisible);
        Assert.Contains("Hailuo.PowerShell.JobInfoConverter.FromEngine(job): Hailuo.Models.HailuoJob", leaks);
        Assert.Contains("Hailuo.PowerShell.JobInfoConverter.ToEngine return: Hailuo.Models.HailuoJob", leaks);
    }

    [Fact]
    public void No_engine_api_the_cmdlets_use_has_a_dependency_type_in_its_signature()
    {
        var assembly = CmdletAssembly();
        UseTheEngine();
        var engine = EngineAssembly();

        var used = EngineMembersUsedBy(assembly, engine);
        var contracts = assembly.GetTypes()
            .SelectMany(type => type.GetInterfaces().Append(type.BaseType))
            .OfType<Type>()
            .Where(contract => contract.Assembly == engine)
            .Distinct()
            .SelectMany(contract => contract.GetMethods(Declared).Where(m => contract.IsInterface || m.IsVirtual));

        Assert.Contains(used, member => member.DeclaringType?.FullName == "Hailuo.Pipeline.VideoSubmission");
        Assert.Empty(used.Concat(contracts).SelectMany(member => SignatureLeaks(member, engine)).Distinct());
    }

    [Fact]
    public void The_boundary_check_finds_a_dependency_type_in_an_engine_signature()
    {
        UseTheEngine();
        var inspector = EngineAssembly().GetType("Hailuo.Media.Mp4Inspector", throwOnError: true)!;

        Assert.Equal(["Hailuo.Media.Mp4Inspector.LooksLikeMp4(head): System.ReadOnlySpan`1"],
            SignatureLeaks(inspector.GetMethod("LooksLikeMp4")!, inspector.Assembly));
        Assert.Empty(SignatureLeaks(inspector.GetMethod("Inspect", [typeof(string)])!, inspector.Assembly));
    }

    private Assembly CmdletAssembly() =>
        Assert.IsAssignableFrom<Assembly>(Assert.Single(Run("(Get-Module Hailuo).ImplementingAssembly").AssertNoErrors().Output).BaseObject);

    /// <summary>The engine loads on first use, through the module's hooks, as in a user's session.</summary>
    private void UseTheEngine()
    {
        Connect();
        Run("New-HailuoVideo -Prompt 'A kite over a hill' | Wait-HailuoJob").AssertNoErrors();
    }

    private Assembly EngineAssembly() =>
        Assert.IsAssignableFrom<Assembly>(Assert.Single(Run("[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Hailuo' }")
            .AssertNoErrors().Output).BaseObject);

    /// <summary>Where a dependency type shows in <paramref name="type"/>: base type, interfaces, attributes, and its public and protected members.</summary>
    private static List<string> SurfaceLeaks(Type type)
    {
        var leaks = new List<string>();
        var where = type.FullName!;
        Check(leaks, where + " base type", type.BaseType);
        foreach (var face in type.GetInterfaces())
        {
            Check(leaks, where + " interface", face);
        }
        CheckAttributes(leaks, where, type.GetCustomAttributesData());
        foreach (var member in type.GetMembers(Declared).Where(IsPublicOrProtected))
        {
            var at = where + "." + member.Name;
            CheckAttributes(leaks, at, member.GetCustomAttributesData());
            switch (member)
            {
                case FieldInfo field:
                    Check(leaks, at, field.FieldType);
                    break;
                case PropertyInfo property:
                    Check(leaks, at, property.PropertyType);
                    CheckParameters(leaks, at, property.GetIndexParameters());
                    break;
                case MethodInfo method:
                    Check(leaks, at + " return", method.ReturnType);
                    CheckParameters(leaks, at, method.GetParameters());
                    break;
                case ConstructorInfo constructor:
                    CheckParameters(leaks, at, constructor.GetParameters());
                    break;
                case EventInfo @event:
                    Check(leaks, at, @event.EventHandlerType);
                    break;
            }
        }
        return leaks;
    }

    /// <summary>Where a dependency type (not the engine's own) shows in an engine member's signature.</summary>
    private static List<string> SignatureLeaks(MemberInfo member, Assembly engine)
    {
        var leaks = new List<string>();
        var at = member.DeclaringType?.FullName + "." + member.Name;
        switch (member)
        {
            case MethodInfo method:
                Check(leaks, at + " return", method.ReturnType, engine);
                CheckParameters(leaks, at, method.GetParameters(), engine);
                break;
            case ConstructorInfo constructor:
                CheckParameters(leaks, at, constructor.GetParameters(), engine);
                break;
            case FieldInfo field:
                Check(leaks, at, field.FieldType, engine);
                break;
        }
        return leaks;
    }

    /// <summary>
    /// Every engine member the cmdlet assembly refers to (calls, reads, constructs), from its member reference and
    /// generic method instantiation tables, each resolved by the runtime as the cmdlets' own code resolves it.
    /// </summary>
    private static List<MemberInfo> EngineMembersUsedBy(Assembly assembly, Assembly engine)
    {
        const int memberReferenceTable = 0x0A000000;
        const int methodSpecificationTable = 0x2B000000;
        var module = assembly.ManifestModule;
        var used = new List<MemberInfo>();
        var unresolved = new List<string>();
        foreach (var table in new[] { memberReferenceTable, methodSpecificationTable })
        {
            for (var row = 1; ; row++)
            {
                var token = table | row;
                MemberInfo? member;
                try
                {
                    member = module.ResolveMember(token);
                }
                catch (ArgumentOutOfRangeException)
                {
                    break; // past the table's last row
                }
                catch (ArgumentException)
                {
                    // A reference made inside a generic method or type names its type parameters: stand-ins that meet the
                    // usual constraints (class, IDisposable; struct, Enum) take their place. None is a dependency type, so
                    // only the member's own types are judged.
                    member = GenericStandIns.Select(standIn => TryResolve(module, token, standIn)).FirstOrDefault(m => m is not null);
                    if (member is null)
                    {
                        unresolved.Add($"0x{token:X8}");
                        continue;
                    }
                }
                if (member?.DeclaringType?.Assembly == engine)
                {
                    used.Add(member);
                }
            }
        }
        Assert.True(unresolved.Count == 0, "Member references the runtime could not resolve: " + string.Join("; ", unresolved));
        return used;
    }

    private static MemberInfo? TryResolve(System.Reflection.Module module, int token, Type standIn)
    {
        var arguments = Enumerable.Repeat(standIn, 8).ToArray();
        try
        {
            return module.ResolveMember(token, arguments, arguments);
        }
        catch (Exception e) when (e is ArgumentException or TypeLoadException)
        {
            return null;
        }
    }

    private static void CheckParameters(List<string> leaks, string where, IEnumerable<ParameterInfo> parameters, Assembly? allowed = null)
    {
        foreach (var parameter in parameters)
        {
            Check(leaks, $"{where}({parameter.Name})", parameter.ParameterType, allowed);
            if (allowed is null)
            {
                CheckAttributes(leaks, $"{where}({parameter.Name})", parameter.GetCustomAttributesData());
            }
        }
    }

    private static void CheckAttributes(List<string> leaks, string where, IEnumerable<CustomAttributeData> attributes)
    {
        foreach (var attribute in attributes)
        {
            Check(leaks, where + " [attribute]", attribute.AttributeType);
            var arguments = attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(named => named.TypedValue));
            foreach (var argument in arguments)
            {
                var values = argument.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(item => item.Value) : [argument.Value];
                foreach (var value in values.OfType<Type>())
                {
                    Check(leaks, where + " [attribute argument]", value);
                }
            }
        }
    }

    /// <summary>Notes <paramref name="type"/> (its elements and generic arguments too) when it is a dependency type other than <paramref name="allowed"/>'s.</summary>
    private static void Check(List<string> leaks, string where, Type? type, Assembly? allowed = null)
    {
        if (type is null || type.IsGenericParameter)
        {
            return;
        }
        if (type.HasElementType)
        {
            Check(leaks, where, type.GetElementType(), allowed);
            return;
        }
        var definition = type;
        if (type.IsGenericType)
        {
            definition = type.GetGenericTypeDefinition();
            foreach (var argument in type.GetGenericArguments())
            {
                Check(leaks, where, argument, allowed);
            }
        }
        if (definition.Assembly == allowed)
        {
            return;
        }
        if (AssemblyLoadContext.GetLoadContext(definition.Assembly) != AssemblyLoadContext.Default || DependencyTypeNames.Value.Contains(definition.FullName!))
        {
            leaks.Add($"{where}: {definition.FullName}");
        }
    }

    private static bool IsPublicOrProtected(MemberInfo member) => member switch
    {
        FieldInfo field => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly,
        MethodBase method => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly,
        PropertyInfo property => property.GetAccessors(nonPublic: true).Any(IsPublicOrProtected),
        EventInfo @event => @event.AddMethod is { } add && IsPublicOrProtected(add),
        _ => false, // nested types are checked as types of their own
    };

    /// <summary>
    /// The public types every assembly in out/Hailuo/Dependencies defines, read from the files without loading them (a second
    /// copy of System.Text.Json or of the engine in this process would be one more for the isolation tests to meet): on
    /// .NET 10 most of them are also the runtime's own (Span, JsonElement), which only the file still tells apart.
    /// </summary>
    private static HashSet<string> ReadDependencyTypeNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(RepoPaths.InModule("Dependencies"), "*.dll"))
        {
            using var pe = new PEReader(File.OpenRead(file));
            var reader = pe.GetMetadataReader();
            foreach (var handle in reader.TypeDefinitions)
            {
                if (PublicName(reader, handle) is { } name)
                {
                    names.Add(name);
                }
            }
        }
        Assert.Contains("System.Text.Json.JsonElement", names);
        Assert.Contains("System.ReadOnlySpan`1", names);
        Assert.Contains("Hailuo.Models.HailuoJob", names);
        return names;
    }

    /// <summary>The type's full name as reflection writes it (Outer+Inner), or null when it is not visible outside its assembly.</summary>
    private static string? PublicName(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        var visibility = type.Attributes & TypeAttributes.VisibilityMask;
        var name = reader.GetString(type.Name);
        if (visibility == TypeAttributes.Public)
        {
            var ns = reader.GetString(type.Namespace);
            return ns.Length == 0 ? name : ns + "." + name;
        }
        return visibility == TypeAttributes.NestedPublic && PublicName(reader, type.GetDeclaringType()) is { } outer ? outer + "+" + name : null;
    }
}
