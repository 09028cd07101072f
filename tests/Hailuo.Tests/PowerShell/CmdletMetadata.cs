using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Hailuo.Tests.PowerShell;

/// <summary>
/// Reads the built module's cmdlet surface as metadata, through System.Reflection.MetadataLoadContext: nothing in
/// it runs, PowerShell is not needed, and the real System.Management.Automation reference assembly
/// (PowerShellStandard.Library) supplies the attribute types.
/// </summary>
/// <remarks>
/// <para>It reads module/Hailuo.PowerShell.dll and module/Dependencies/, so run
/// <c>dotnet publish src/Hailuo.PowerShell -c Release</c> first (CI does); <see cref="Open()"/> fails saying so otherwise.</para>
/// <para>Usage, for the cmdlet tests:</para>
/// <code>
/// using var module = CmdletMetadata.Open();
/// var cmdlet = module.Cmdlet("New-HailuoVideo");          // by Verb-Noun; fails listing the cmdlets there are
/// Assert.True(cmdlet.SupportsShouldProcess);
/// Assert.Equal("Medium", cmdlet.ConfirmImpact);
/// Assert.Equal("Submit", cmdlet.DefaultParameterSetName);
/// Assert.Equal(["Hailuo.PowerShell.HailuoJobInfo", "System.IO.FileInfo"], cmdlet.OutputTypes);
/// var prompt = cmdlet.Parameter("Prompt");                 // any case; fails listing the parameters there are
/// Assert.Equal("string", prompt.TypeName);
/// Assert.Equal(0, prompt.In(CmdletMetadata.AllParameterSets).Position);
/// Assert.True(prompt.In("Submit").ValueFromPipelineByPropertyName);  // In() falls back to the all-sets declaration
/// Assert.Contains("prompt", prompt.Aliases);
/// Assert.Equal(["EmptyToNullTransformationAttribute"], prompt.Transformations);
/// Assert.Equal(["ProviderCompleter"], cmdlet.Parameter("Provider").Completers);
/// Assert.True(cmdlet.Parameter("Wait").In("Wait").Mandatory);
/// Assert.Empty(module.DependencyTypeLeaks());              // no engine or dependency type in a public signature
/// Assert.Empty(module.EngineBoundaryLeaks());              // no engine API used with a dependency's type in it
/// </code>
/// <para><see cref="Cmdlets"/> lists every class with [Cmdlet]; <see cref="Type(string)"/> gives any type of the
/// assembly as a metadata-only <see cref="System.Type"/> for other checks.</para>
/// </remarks>
public sealed class CmdletMetadata : IDisposable
{
    /// <summary>The set name of a [Parameter] that names none: it applies in every set.</summary>
    public const string AllParameterSets = "__AllParameterSets";

    private const string Sma = "System.Management.Automation.";
    private const string EngineAssemblyName = "Hailuo";

    private readonly MetadataLoadContext _context;
    private readonly Lazy<IReadOnlyList<CmdletDeclaration>> _cmdlets;

    private CmdletMetadata(string assemblyPath)
    {
        var dependencies = ModuleLayout.DependencyAssemblies();
        DependencyAssemblyNames = new HashSet<string>(dependencies.Keys, StringComparer.OrdinalIgnoreCase);
        // The runtime's copies of names that also ship in Dependencies (System.Memory, System.Text.Json...) are
        // left out, so that a type from one of those resolves to the module's copy and counts as a dependency's.
        var runtime = Directory.GetFiles(RuntimeDirectory, "*.dll")
            .Where(path => !DependencyAssemblyNames.Contains(Path.GetFileNameWithoutExtension(path)));
        var paths = runtime
            .Concat(dependencies.Values)
            .Append(ModuleLayout.RootAssembly)
            .Append(ReferenceAssemblyPath)
            .Append(assemblyPath)
            .Distinct(StringComparer.Ordinal);
        _context = new MetadataLoadContext(new PathAssemblyResolver(paths), "System.Private.CoreLib");
        Assembly = _context.LoadFromAssemblyPath(assemblyPath);
        _cmdlets = new Lazy<IReadOnlyList<CmdletDeclaration>>(ReadCmdlets);
    }

    /// <summary>System.Management.Automation's reference assembly, copied into the test output by Hailuo.Tests.csproj.</summary>
    public static string ReferenceAssemblyPath { get; } =
        Path.Combine(AppContext.BaseDirectory, "PowerShellReference", "System.Management.Automation.dll");

    private static string RuntimeDirectory => Path.GetDirectoryName(typeof(object).Assembly.Location)!;

    /// <summary>The assembly read, as metadata only.</summary>
    public Assembly Assembly { get; }

    /// <summary>Simple names of the assemblies in module/Dependencies: the engine, its NuGet dependencies and the isolation assembly.</summary>
    public IReadOnlySet<string> DependencyAssemblyNames { get; }

    /// <summary>Every class with [Cmdlet], ordered by name.</summary>
    public IReadOnlyList<CmdletDeclaration> Cmdlets => _cmdlets.Value;

    /// <summary>The published module/Hailuo.PowerShell.dll.</summary>
    public static CmdletMetadata Open()
    {
        ModuleLayout.RequireDependencyDirectory();
        return new CmdletMetadata(ModuleLayout.RootAssembly);
    }

    /// <summary>Another assembly built against the module (a sample, say), resolved against the same layout.</summary>
    public static CmdletMetadata Open(string assemblyPath)
    {
        ModuleLayout.RequireDependencyDirectory();
        return new CmdletMetadata(Path.GetFullPath(assemblyPath));
    }

    /// <summary>The cmdlet called <paramref name="name"/> (Verb-Noun, any case), or a failure listing the cmdlets there are.</summary>
    public CmdletDeclaration Cmdlet(string name) =>
        Cmdlets.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new Xunit.Sdk.XunitException($"No cmdlet {name} in {Assembly.GetName().Name}; it has: {string.Join(", ", Cmdlets.Select(c => c.Name))}.");

    /// <summary>A type of the assembly read, by full name, as metadata only.</summary>
    public Type Type(string fullName) =>
        Assembly.GetType(fullName, throwOnError: false)
        ?? throw new Xunit.Sdk.XunitException($"No type {fullName} in {Assembly.GetName().Name}.");

    /// <summary>
    /// Every place where a type of the engine or one of its dependencies (anything in module/Dependencies) shows in
    /// the assembly's surface: base types, interfaces and attributes of every type, and the signatures and
    /// attributes of the public and protected members of public types. Each entry reads "where: type [assembly]".
    /// </summary>
    /// <remarks>
    /// PowerShell reflects over exactly this at Import-Module, before the module initializer has hooked assembly
    /// resolution (design notes §4). Non-public members and method bodies may use engine types: they are resolved
    /// only when they run, by then through the hooks.
    /// </remarks>
    public IReadOnlyList<string> DependencyTypeLeaks() =>
        Assembly.GetTypes().OrderBy(t => t.FullName, StringComparer.Ordinal).SelectMany(t => Leaks(t, checkMembers: t.IsVisible)).ToArray();

    /// <summary>The same check for one type, its public and protected members included whatever its own visibility.</summary>
    public IReadOnlyList<string> DependencyTypeLeaks(Type type) => Leaks(type, checkMembers: true);

    /// <summary>
    /// Every engine member the assembly uses whose signature names a type of one of the engine's own dependencies
    /// (System.Text.Json, Polly.Core, and the System.Memory family: Span, ValueTask, IAsyncEnumerable, TimeProvider...):
    /// the members it calls or reads (from its method bodies too), and the members of engine interfaces it
    /// implements or engine classes it derives from. Each entry reads "Engine.Type.Member: type [assembly]".
    /// </summary>
    /// <remarks>
    /// On PowerShell 7 the engine binds such a type in its private context, to the copy in module/Dependencies,
    /// while Hailuo.PowerShell binds the same name in the default context, to PowerShell's own copy: the two
    /// signatures differ and the call fails with MissingMethodException (or the type with TypeLoadException), and
    /// only there, never in these tests' single context. Engine APIs meant for the cmdlets must use framework and
    /// engine types only. Not covered: generic method instantiations (MethodSpec), which no engine API has today.
    /// </remarks>
    public IReadOnlyList<string> EngineBoundaryLeaks()
    {
        var dependencies = DependencyAssemblyNames
            .Where(name => name != EngineAssemblyName && name != ModuleLayout.IsolationAssemblyName)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var engine = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { EngineAssemblyName };
        var leaks = new List<string>();

        using (var pe = new PEReader(File.OpenRead(Assembly.Location)))
        {
            var reader = pe.GetMetadataReader();
            foreach (var handle in reader.MemberReferences)
            {
                var member = reader.GetMemberReference(handle);
                var owner = new SignatureTypeNames(reader, engine);
                var ownerName = owner.ParentOf(member);
                if (owner.Found.Count == 0)
                {
                    continue;
                }
                var signature = new SignatureTypeNames(reader, dependencies);
                signature.ParentOf(member);
                if (member.GetKind() == MemberReferenceKind.Method)
                {
                    member.DecodeMethodSignature(signature, null);
                }
                else
                {
                    member.DecodeFieldSignature(signature, null);
                }
                leaks.AddRange(signature.Found.Select(found => $"{ownerName}.{reader.GetString(member.Name)}: {found}"));
            }
        }

        var contracts = Assembly.GetTypes()
            .SelectMany(type => type.GetInterfaces().Append(type.BaseType))
            .OfType<Type>()
            .Where(contract => engine.Contains(contract.Assembly.GetName().Name!))
            .DistinctBy(contract => contract.FullName);
        foreach (var contract in contracts)
        {
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
            foreach (var method in contract.GetMethods(all).Where(m => contract.IsInterface || m.IsVirtual))
            {
                var at = contract.FullName + "." + method.Name;
                Check(leaks, at + " return", method.ReturnType, dependencies);
                foreach (var parameter in method.GetParameters())
                {
                    Check(leaks, $"{at}({parameter.Name})", parameter.ParameterType, dependencies);
                }
            }
        }
        return leaks.Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    public void Dispose() => _context.Dispose();

    private List<string> Leaks(Type type, bool checkMembers)
    {
        var leaks = new List<string>();
        var where = type.FullName!;
        Check(leaks, where + " base type", type.BaseType);
        foreach (var face in type.GetInterfaces())
        {
            Check(leaks, where + " interface", face);
        }
        CheckAttributes(leaks, where, type.GetCustomAttributesData());
        if (!checkMembers)
        {
            return leaks;
        }
        const BindingFlags declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var member in type.GetMembers(declared).Where(IsPublicOrProtected))
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

    private IReadOnlyList<CmdletDeclaration> ReadCmdlets()
    {
        var cmdlets = new List<CmdletDeclaration>();
        foreach (var type in Assembly.GetTypes())
        {
            if (Attribute(type.GetCustomAttributesData(), "CmdletAttribute") is { } cmdlet)
            {
                cmdlets.Add(new CmdletDeclaration(
                    type.FullName!,
                    (string)cmdlet.ConstructorArguments[0].Value!,
                    (string)cmdlet.ConstructorArguments[1].Value!,
                    Named<bool>(cmdlet, "SupportsShouldProcess"),
                    NamedEnum(cmdlet, "ConfirmImpact"),
                    Named<string>(cmdlet, "DefaultParameterSetName"),
                    type.GetCustomAttributesData().Where(a => IsSma(a, "OutputTypeAttribute")).SelectMany(OutputTypeNames).ToArray(),
                    ReadParameters(type)));
            }
        }
        return cmdlets.OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
    }

    private static IReadOnlyList<ParameterDeclaration> ReadParameters(Type cmdletType)
    {
        var members = cmdletType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Cast<MemberInfo>()
            .Concat(cmdletType.GetFields(BindingFlags.Public | BindingFlags.Instance));
        var parameters = new List<ParameterDeclaration>();
        foreach (var member in members)
        {
            var attributes = member.GetCustomAttributesData();
            var sets = attributes.Where(a => IsSma(a, "ParameterAttribute")).Select(ReadSet).ToArray();
            if (sets.Length == 0)
            {
                continue;
            }
            var memberType = member is PropertyInfo property ? property.PropertyType : ((FieldInfo)member).FieldType;
            parameters.Add(new ParameterDeclaration(
                member.Name,
                FriendlyName(memberType),
                sets,
                attributes.Where(a => IsSma(a, "AliasAttribute")).SelectMany(a => Strings(a.ConstructorArguments)).ToArray(),
                attributes.Where(a => DerivesFrom(a.AttributeType, Sma + "ArgumentTransformationAttribute")).Select(a => a.AttributeType.Name).ToArray(),
                attributes.Where(a => IsSma(a, "ArgumentCompleterAttribute"))
                    .Select(a => a.ConstructorArguments.Single().Value).OfType<Type>().Select(t => t.Name).ToArray(),
                attributes.Where(a => IsSma(a, "ValidateSetAttribute")).SelectMany(a => Strings(a.ConstructorArguments)).ToArray(),
                attributes.Select(a => a.AttributeType.Name).ToArray()));
        }
        return parameters;
    }

    private static ParameterSetDeclaration ReadSet(CustomAttributeData parameter)
    {
        var position = Named<int?>(parameter, "Position");
        return new ParameterSetDeclaration(
            Named<string>(parameter, "ParameterSetName") ?? AllParameterSets,
            Named<bool>(parameter, "Mandatory"),
            position == int.MinValue ? null : position,
            Named<bool>(parameter, "ValueFromPipeline"),
            Named<bool>(parameter, "ValueFromPipelineByPropertyName"),
            Named<bool>(parameter, "ValueFromRemainingArguments"),
            Named<bool>(parameter, "DontShow"),
            Named<string>(parameter, "HelpMessage"));
    }

    private static IEnumerable<string> OutputTypeNames(CustomAttributeData outputType) =>
        outputType.ConstructorArguments.SelectMany(Flatten).Select(value => value switch
        {
            Type type => type.FullName!,
            string name => name,
            _ => throw new Xunit.Sdk.XunitException($"An [OutputType] argument that is neither a type nor a name: {value}."),
        });

    private static IEnumerable<object?> Flatten(CustomAttributeTypedArgument argument) =>
        argument.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(item => item.Value) : new[] { argument.Value };

    private static IEnumerable<string> Strings(IEnumerable<CustomAttributeTypedArgument> arguments) =>
        arguments.SelectMany(Flatten).OfType<string>();

    private static CustomAttributeData? Attribute(IEnumerable<CustomAttributeData> attributes, string smaName) =>
        attributes.FirstOrDefault(a => IsSma(a, smaName));

    private static bool IsSma(CustomAttributeData attribute, string name) => attribute.AttributeType.FullName == Sma + name;

    private static T? Named<T>(CustomAttributeData attribute, string name)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.MemberName == name)
            {
                return (T?)argument.TypedValue.Value;
            }
        }
        return default;
    }

    // An enum argument arrives as its number; its name is the enum field holding that number.
    private static string? NamedEnum(CustomAttributeData attribute, string name)
    {
        var argument = attribute.NamedArguments.FirstOrDefault(a => a.MemberName == name);
        if (argument.MemberInfo is null)
        {
            return null;
        }
        var value = argument.TypedValue.Value;
        return argument.TypedValue.ArgumentType.GetFields(BindingFlags.Public | BindingFlags.Static)
            .FirstOrDefault(field => Equals(field.GetRawConstantValue(), value))?.Name ?? value?.ToString();
    }

    private static bool DerivesFrom(Type type, string baseFullName)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current.FullName == baseFullName)
            {
                return true;
            }
        }
        return false;
    }

    private static string FriendlyName(Type type)
    {
        if (type.IsArray)
        {
            return FriendlyName(type.GetElementType()!) + "[]";
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1")
        {
            return FriendlyName(type.GetGenericArguments()[0]) + "?";
        }
        return type.FullName switch
        {
            "System.String" => "string",
            "System.Int32" => "int",
            "System.Int64" => "long",
            "System.Boolean" => "bool",
            "System.Object" => "object",
            "System.Double" => "double",
            _ => type.Name,
        };
    }

    private static bool IsPublicOrProtected(MemberInfo member) => member switch
    {
        FieldInfo field => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly,
        MethodBase method => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly,
        PropertyInfo property => property.GetAccessors(nonPublic: true).Any(IsPublicOrProtected),
        EventInfo @event => @event.AddMethod is { } add && IsPublicOrProtected(add),
        _ => false, // nested types are checked as types of their own
    };

    private void CheckParameters(List<string> leaks, string where, IEnumerable<ParameterInfo> parameters)
    {
        foreach (var parameter in parameters)
        {
            Check(leaks, $"{where}({parameter.Name})", parameter.ParameterType);
            CheckAttributes(leaks, $"{where}({parameter.Name})", parameter.GetCustomAttributesData());
        }
    }

    private void CheckAttributes(List<string> leaks, string where, IEnumerable<CustomAttributeData> attributes)
    {
        foreach (var attribute in attributes)
        {
            Check(leaks, where + " [attribute]", attribute.AttributeType);
            var arguments = attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(n => n.TypedValue));
            foreach (var value in arguments.SelectMany(Flatten))
            {
                if (value is Type argumentType)
                {
                    Check(leaks, where + " [attribute argument]", argumentType);
                }
            }
        }
    }

    private void Check(List<string> leaks, string where, Type? type) => Check(leaks, where, type, DependencyAssemblyNames);

    private static void Check(List<string> leaks, string where, Type? type, IReadOnlySet<string> watched)
    {
        if (type is null)
        {
            return;
        }
        if (type.HasElementType)
        {
            Check(leaks, where, type.GetElementType(), watched);
            return;
        }
        if (type.IsGenericParameter)
        {
            return;
        }
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                Check(leaks, where, argument, watched);
            }
        }
        var assembly = type.Assembly.GetName().Name!;
        if (watched.Contains(assembly))
        {
            leaks.Add($"{where}: {type.FullName ?? type.Name} [{assembly}]");
        }
    }
}
