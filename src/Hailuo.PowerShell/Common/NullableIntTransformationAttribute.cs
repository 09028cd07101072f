using System;
using System.Globalization;

namespace Hailuo.PowerShell.Common;

/// <summary>
/// Binds CSV cells to int? parameters. PowerShell turns an empty cell into 0, which would then pass or fail
/// validation as if it had been asked for; this turns it into null, reads "6" and "6.0" (invariant culture,
/// trimmed) and whole numbers of any numeric type. Anything else binds null and is recorded, as
/// <see cref="CsvCellTransformationAttribute"/> does.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class NullableIntTransformationAttribute : CsvCellTransformationAttribute
{
    /// <param name="parameter">The parameter's name, as messages about its values say it.</param>
    public NullableIntTransformationAttribute(string parameter)
        : base(parameter)
    {
    }

    private const NumberStyles WholeNumberText =
        NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;

    private protected override string Expected => "a whole number: use digits such as 6 or 10, or leave it empty";

    private protected override object? Read(object value) => value switch
    {
        string text when decimal.TryParse(text, WholeNumberText, CultureInfo.InvariantCulture, out var parsed) && IsInt(parsed) => (int)parsed,
        not string when CsvValue.TryGetNumber(value, out var number) && IsInt(number) => (int)number,
        _ => null,
    };

    private static bool IsInt(decimal number) =>
        number == decimal.Truncate(number) && number >= int.MinValue && number <= int.MaxValue;
}
