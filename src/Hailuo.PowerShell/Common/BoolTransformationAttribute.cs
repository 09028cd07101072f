using System;
using System.Management.Automation;

namespace Hailuo.PowerShell.Common;

/// <summary>
/// Binds CSV cells to bool? parameters. PowerShell itself turns any non-empty string, "False" included, into
/// $true; this reads true/false, yes/no, 1/0 and $true/$false (any case, trimmed), and turns an empty cell into
/// null. Anything else binds null and is recorded, as <see cref="CsvCellTransformationAttribute"/> does.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class BoolTransformationAttribute : CsvCellTransformationAttribute
{
    /// <param name="parameter">The parameter's name, as messages about its values say it.</param>
    public BoolTransformationAttribute(string parameter)
        : base(parameter)
    {
    }

    /// <summary>The words accepted, as error messages list them.</summary>
    internal const string AcceptedWords = "true or false, yes or no, 1 or 0, $true or $false, or an empty value";

    private protected override string Expected => "true or false: use " + AcceptedWords;

    private protected override object? Read(object value) => value switch
    {
        bool flag => flag,
        SwitchParameter switchParameter => switchParameter.IsPresent,
        string text => Word(text),
        _ when CsvValue.TryGetNumber(value, out var number) && (number == 0 || number == 1) => number == 1,
        _ => null,
    };

    private static bool? Word(string text) => text.Trim().ToLowerInvariant() switch
    {
        "true" or "yes" or "1" or "$true" => true,
        "false" or "no" or "0" or "$false" => false,
        _ => null,
    };
}
