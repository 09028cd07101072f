namespace Hailuo.Tests.PowerShell;

/// <summary>A cmdlet parameter as its attributes declare it, read as metadata.</summary>
/// <param name="Name">The property's name, which is the parameter's name.</param>
/// <param name="TypeName">C#-style: string, int?, bool?, string[], SwitchParameter, PSObject, Hashtable, HailuoJobInfo[].</param>
/// <param name="Sets">One entry per [Parameter] attribute.</param>
/// <param name="Aliases">From [Alias], in order.</param>
/// <param name="Transformations">Type names of the ArgumentTransformationAttribute subclasses, such as BoolTransformationAttribute.</param>
/// <param name="Completers">Type names given to [ArgumentCompleter(typeof(...))], such as ProviderCompleter.</param>
/// <param name="ValidateSetValues">The values of [ValidateSet], empty when there is none.</param>
/// <param name="Attributes">The type names of every attribute on the property.</param>
public sealed record ParameterDeclaration(
    string Name,
    string TypeName,
    IReadOnlyList<ParameterSetDeclaration> Sets,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string> Transformations,
    IReadOnlyList<string> Completers,
    IReadOnlyList<string> ValidateSetValues,
    IReadOnlyList<string> Attributes)
{
    /// <summary>How the parameter binds in <paramref name="setName"/>, falling back to an all-sets declaration.</summary>
    public ParameterSetDeclaration In(string setName) =>
        Sets.FirstOrDefault(set => set.Name == setName)
        ?? Sets.FirstOrDefault(set => set.Name == CmdletMetadata.AllParameterSets)
        ?? throw new Xunit.Sdk.XunitException($"-{Name} is not in parameter set '{setName}' (it is in: {string.Join(", ", Sets.Select(s => s.Name))}).");
}
