using System;
using System.Globalization;
using System.Management.Automation;

namespace Hailuo.PowerShell.Common;

/// <summary>
/// What the CSV-binding transformations share (docs/architecture.md, CSV binding): Import-Csv hands every cell over as a string,
/// often wrapped in a PSObject, and an empty cell means "not given".
/// </summary>
internal static class CsvValue
{
    /// <summary>The value inside a PSObject wrapper, or the value itself.</summary>
    public static object? Unwrap(object? value)
    {
        while (value is PSObject wrapped)
        {
            var inner = wrapped.BaseObject;
            if (ReferenceEquals(inner, wrapped))
            {
                break;
            }
            value = inner;
        }
        return value;
    }

    /// <summary>Any of .NET's numeric types as a decimal; false for everything else, NaN and infinities included.</summary>
    public static bool TryGetNumber(object value, out decimal number)
    {
        switch (value)
        {
            case byte or sbyte or short or ushort or int or uint or long or ulong or decimal:
                number = Convert.ToDecimal(value, CultureInfo.InvariantCulture);
                return true;
            case double or float:
                var real = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                // decimal holds about ±7.9e28: anything outside, or not a number at all, is no whole number we accept.
                if (double.IsNaN(real) || double.IsInfinity(real) || Math.Abs(real) >= 7.9e28)
                {
                    number = 0;
                    return false;
                }
                number = (decimal)real;
                return true;
            default:
                number = 0;
                return false;
        }
    }

    /// <summary>The value as an error message shows it: quoted text, or the value and its type.</summary>
    public static string Describe(object value) => value is string text
        ? "'" + text + "'"
        : string.Format(CultureInfo.InvariantCulture, "{0} ({1})", value, value.GetType().Name);
}
