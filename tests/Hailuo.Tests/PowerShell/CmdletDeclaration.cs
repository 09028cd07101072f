namespace Hailuo.Tests.PowerShell;

/// <summary>A cmdlet class as its attributes declare it, read as metadata.</summary>
/// <param name="TypeName">The class's full name, such as Hailuo.PowerShell.Commands.NewHailuoVideoCommand.</param>
/// <param name="ConfirmImpact">The ConfirmImpact named in [Cmdlet], or null when it names none (PowerShell then uses Medium).</param>
/// <param name="DefaultParameterSetName">Null when [Cmdlet] names none.</param>
/// <param name="OutputTypes">Full type names from every [OutputType], such as Hailuo.PowerShell.HailuoJobInfo and System.IO.FileInfo.</param>
/// <param name="Parameters">Every public property or field with a [Parameter], inherited ones included.</param>
public sealed record CmdletDeclaration(
    string TypeName,
    string Verb,
    string Noun,
    bool SupportsShouldProcess,
    string? ConfirmImpact,
    string? DefaultParameterSetName,
    IReadOnlyList<string> OutputTypes,
    IReadOnlyList<ParameterDeclaration> Parameters)
{
    /// <summary>Verb-Noun, as PowerShell names the command.</summary>
    public string Name => Verb + "-" + Noun;

    /// <summary>The parameter sets named by any parameter (not the all-sets placeholder).</summary>
    public IReadOnlyCollection<string> ParameterSetNames =>
        Parameters.SelectMany(p => p.Sets).Select(s => s.Name).Where(n => n != CmdletMetadata.AllParameterSets).Distinct().Order().ToArray();

    /// <summary>The parameter of that name (any case), or a failure listing the ones there are.</summary>
    public ParameterDeclaration Parameter(string name) =>
        Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new Xunit.Sdk.XunitException($"{Name} has no parameter -{name}; it has: {string.Join(", ", Parameters.Select(p => p.Name))}.");
}
