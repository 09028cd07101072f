namespace Hailuo.Tests.PowerShell;

/// <summary>One [Parameter] attribute of a cmdlet parameter: how it binds in one parameter set.</summary>
/// <param name="Name">The set's name; <see cref="CmdletMetadata.AllParameterSets"/> when the attribute names none.</param>
/// <param name="Position">Null when not positional.</param>
public sealed record ParameterSetDeclaration(
    string Name,
    bool Mandatory,
    int? Position,
    bool ValueFromPipeline,
    bool ValueFromPipelineByPropertyName,
    bool ValueFromRemainingArguments,
    bool DontShow,
    string? HelpMessage);
