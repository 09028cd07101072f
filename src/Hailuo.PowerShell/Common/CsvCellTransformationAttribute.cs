using System;
using System.Management.Automation;

namespace Hailuo.PowerShell.Common;

/// <summary>
/// Binds a CSV cell to a nullable parameter (int?, bool?) where PowerShell's own conversion would misread it. An empty
/// or blank cell means "not given" and binds null. A value the attribute cannot read binds null too and is recorded in
/// <see cref="CellProblems"/> for the cmdlet to report with its row, so a bad cell never drops the row uncounted.
/// </summary>
/// <remarks>Never uses <see cref="EngineIntrinsics"/>, so it may be null.</remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public abstract class CsvCellTransformationAttribute : ArgumentTransformationAttribute
{
    /// <param name="parameter">The parameter's name, as messages about its values say it.</param>
    private protected CsvCellTransformationAttribute(string parameter) => Parameter = parameter;

    public string Parameter { get; }

    /// <summary>What the value should have been, as the message about a value that cannot be read ends.</summary>
    private protected abstract string Expected { get; }

    public sealed override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = CsvValue.Unwrap(inputData);
        if (value is null || value is string text && string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        if (Read(value) is { } read)
        {
            return read;
        }
        CellProblems.Add(Parameter, CsvValue.Describe(value), Expected);
        return null;
    }

    /// <summary>The parameter's value for <paramref name="value"/> (neither null nor blank text); null when it cannot be read.</summary>
    private protected abstract object? Read(object value);
}
