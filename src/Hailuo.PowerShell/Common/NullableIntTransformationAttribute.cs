using System;
using System.Globalization;
using System.Management.Automation;

namespace Hailuo.PowerShell.Common;

/// <summary>
/// Binds CSV cells to int? parameters. PowerShell turns an empty cell into 0, which would then pass or fail
/// validation as if it had been asked for; this turns it into null, reads "6" and "6.0" (invariant culture,
/// trimmed) and whole numbers of any numeric type. Anything else binds null and is recorded in
/// <see cref="CellProblems"/> for the cmdlet to report with its row, so a bad cell never drops the row uncounted.
/// </summary>
/// <remarks>Never uses <see cref="EngineIntrinsics"/>, so it may be null.</remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class NullableIntTransformationAttribute : ArgumentTransformationAttribute
{
    /// <param name="parameter">The parameter's name, as messages about its values say it.</param>
    public NullableIntTransformationAttribute(string parameter) => Parameter = parameter;

    public string Parameter { get; }

    private const NumberStyles WholeNumberText =
        NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = CsvValue.Unwrap(inputData);
        switch (value)
        {
            case null:
                return null;
            case string text when string.IsNullOrWhiteSpace(text):
                return null;
            case string text when decimal.TryParse(text, WholeNumberText, CultureInfo.InvariantCulture, out var parsed) && IsInt(parsed):
                return (int)parsed;
            case not string when CsvValue.TryGetNumber(value, out var number) && IsInt(number):
                return (int)number;
            default:
                CellProblems.Add(Parameter, CsvValue.Describe(value), "a whole number: use digits such as 6 or 10, or leave it empty");
                return null;
        }
    }

    private static bool IsInt(decimal number) =>
        number == decimal.Truncate(number) && number >= int.MinValue && number <= int.MaxValue;
}
