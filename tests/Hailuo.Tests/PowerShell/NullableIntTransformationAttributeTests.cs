using System.Management.Automation;
using Hailuo.PowerShell.Common;

namespace Hailuo.Tests.PowerShell;

public sealed class NullableIntTransformationAttributeTests
{
    public static readonly TheoryData<object?, int> Numbers = new()
    {
        { 6, 6 }, { 10L, 10 }, { 6.0, 6 }, { 10.0f, 10 }, { 6m, 6 }, { (byte)6, 6 }, { (short)-3, -3 },
        { "6", 6 }, { " 10 ", 10 }, { "6.0", 6 }, { "10.00", 10 }, { "-1", -1 }, { "+7", 7 }, { "0", 0 },
        { new PSObject("6"), 6 }, { new PSObject(" 10.0 "), 10 }, { new PSObject(6), 6 }, { new PSObject(6.0), 6 },
        { int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), int.MaxValue },
    };

    public static readonly TheoryData<object?> NullValues = new()
    {
        null, "", "  ", "\t", new PSObject(""), new PSObject(" "),
    };

    public static readonly TheoryData<object> RefusedValues = new()
    {
        "six", "6.5", "6s", "6,0", "1e1", "0x10", "2147483648", 6.5, 1e12, double.NaN, double.PositiveInfinity, 10_000_000_000L,
        true, false, new DateTime(2025, 1, 1), new object[] { 6 }, new PSObject("ten"),
    };

    [Theory]
    [MemberData(nameof(Numbers))]
    public void Reads_whole_numbers_of_any_type_and_invariant_text(object? value, int expected)
    {
        var result = Transform(value);
        Assert.IsType<int>(result);
        Assert.Equal(expected, result);
    }

    [Theory]
    [MemberData(nameof(NullValues))]
    public void Reads_an_empty_cell_as_not_given_never_0(object? value) => Assert.Null(Transform(value));

    [Theory]
    [MemberData(nameof(RefusedValues))]
    public void Refuses_anything_else_naming_the_value(object value)
    {
        var error = Assert.Throws<ArgumentTransformationMetadataException>(() => Transform(value));
        var shown = value is PSObject wrapped ? wrapped.BaseObject : value;
        Assert.Contains(shown is string text ? $"'{text}'" : Convert.ToString(shown, System.Globalization.CultureInfo.InvariantCulture)!, error.Message);
        Assert.Contains("whole number", error.Message);
    }

    [Fact]
    public void Reads_text_the_same_whatever_the_current_culture()
    {
        // With a comma for decimals, "6.0" would be sixty and "6,0" six; a CSV cell must mean the same everywhere.
        using var culture = new CommaDecimalCulture();
        Assert.Equal("6,5", 6.5m.ToString(System.Globalization.CultureInfo.CurrentCulture));
        Assert.Equal(6, Transform("6.0"));
        Assert.Throws<ArgumentTransformationMetadataException>(() => Transform("6,0"));
    }

    private static object? Transform(object? value) => new NullableIntTransformationAttribute().Transform(null!, value!);
}
