using System.Globalization;

namespace Hailuo.Tests.PowerShell;

/// <summary>
/// Makes the current culture write decimals with a comma (as German does) until disposed. Built from the invariant
/// culture, because the tests run with invariant globalization, where named cultures do not exist.
/// </summary>
public sealed class CommaDecimalCulture : IDisposable
{
    private readonly CultureInfo _saved = CultureInfo.CurrentCulture;

    public CommaDecimalCulture()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = ".";
        CultureInfo.CurrentCulture = culture;
    }

    public void Dispose() => CultureInfo.CurrentCulture = _saved;
}
