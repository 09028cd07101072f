using System;
using System.Globalization;
using System.Management.Automation;

namespace Hailuo.PowerShell.Common;

/// <summary>
/// Binds CSV cells to string parameters: an empty or blank cell means "not given" (null), not an empty prompt
/// or model. Other text passes unchanged; numbers and other simple values become their invariant-culture text.
/// </summary>
/// <remarks>
/// Values that are neither text nor simple (arrays, objects) pass through untouched, so that PowerShell's own
/// conversion, or its error, applies. Never uses <see cref="EngineIntrinsics"/>, so it may be null.
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class EmptyToNullTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = CsvValue.Unwrap(inputData);
        return value switch
        {
            null => null,
            string text => NullIfBlank(text),
            IConvertible or IFormattable => NullIfBlank(Convert.ToString(value, CultureInfo.InvariantCulture)),
            _ => inputData,
        };
    }

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
