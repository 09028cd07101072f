using System;
using System.Management.Automation;

namespace Hailuo.PowerShell.Common;

/// <summary>
/// Binds CSV cells to bool? parameters. PowerShell itself turns any non-empty string, "False" included, into
/// $true; this reads true/false, yes/no, 1/0 and $true/$false (any case, trimmed), turns an empty cell into
/// null. Anything else binds null and is recorded in <see cref="CellProblems"/> for the cmdlet to report with its
/// row, so a bad cell never drops the row uncounted.
/// </summary>
/// <remarks>Never uses <see cref="EngineIntrinsics"/>, so it may be null.</remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class BoolTransformationAttribute : ArgumentTransformationAttribute
{
    /// <param name="parameter">The parameter's name, as messages about its values say it.</param>
    public BoolTransformationAttribute(string parameter) => Parameter = parameter;

    public string Parameter { get; }

    /// <summary>The words accepted, as error messages list them.</summary>
    internal const string AcceptedWords = "true or false, yes or no, 1 or 0, $true or $false, or an empty value";

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = CsvValue.Unwrap(inputData);
        switch (value)
        {
            case null:
                return null;
            case bool flag:
                return flag;
            case SwitchParameter switchParameter:
                return switchParameter.IsPresent;
            case string text:
                return Parse(text);
        }
        if (CsvValue.TryGetNumber(value, out var number) && (number == 0 || number == 1))
        {
            return number == 1;
        }
        return Refuse(value);
    }

    private bool? Parse(string text)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "":
                return null;
            case "true" or "yes" or "1" or "$true":
                return true;
            case "false" or "no" or "0" or "$false":
                return false;
            default:
                return Refuse(text);
        }
    }

    private bool? Refuse(object value)
    {
        CellProblems.Add(Parameter, CsvValue.Describe(value), "true or false: use " + AcceptedWords);
        return null;
    }
}
