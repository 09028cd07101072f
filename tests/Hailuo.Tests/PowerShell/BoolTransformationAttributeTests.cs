using System.Management.Automation;
using Hailuo.PowerShell.Common;

namespace Hailuo.Tests.PowerShell;

public sealed class BoolTransformationAttributeTests
{
    public static readonly TheoryData<object?> TrueValues = new()
    {
        true, "true", "True", " TRUE ", "yes", "Yes", "1", " 1 ", "$true", "$TRUE",
        1, 1L, (byte)1, 1.0, 1.0f, 1m,
        new SwitchParameter(true), new PSObject("True"), new PSObject("yes"), new PSObject(true), new PSObject(1),
    };

    public static readonly TheoryData<object?> FalseValues = new()
    {
        false, "false", "False", "FALSE", " false ", "no", "NO", "0", "$false", "$False",
        0, 0L, (short)0, 0.0, 0m,
        new SwitchParameter(false), new PSObject(" false "), new PSObject("no"), new PSObject(false), new PSObject(0),
    };

    public static readonly TheoryData<object?> NullValues = new()
    {
        null, "", "   ", "\t", new PSObject(""), new PSObject("  "),
    };

    public static readonly TheoryData<object> RefusedValues = new()
    {
        "maybe", "t", "y", "2", "-1", "truee", "1.5", "on", 2, -1, 0.5, double.NaN, 10L,
        new DateTime(2025, 1, 1), new object[] { "true" }, new PSObject("nope"),
    };

    [Theory]
    [MemberData(nameof(TrueValues))]
    public void Reads_true(object? value) => Assert.Equal(true, Transform(value));

    [Theory]
    [MemberData(nameof(FalseValues))]
    public void Reads_false(object? value) => Assert.Equal(false, Transform(value));

    [Theory]
    [MemberData(nameof(NullValues))]
    public void Reads_an_empty_cell_as_not_given(object? value) => Assert.Null(Transform(value));

    [Fact]
    public void A_PSObject_wrapped_False_from_Import_Csv_is_false_never_true()
    {
        // PowerShell's own conversion makes any non-empty string $true; this is the case the attribute exists for.
        var result = Transform(new PSObject(new PSObject("False")));
        Assert.IsType<bool>(result);
        Assert.False((bool)result!);
    }

    [Theory]
    [MemberData(nameof(RefusedValues))]
    public void Refuses_anything_else_naming_the_value_and_the_accepted_words(object value)
    {
        var error = Assert.Throws<ArgumentTransformationMetadataException>(() => Transform(value));
        var shown = value is PSObject wrapped ? wrapped.BaseObject : value;
        Assert.Contains(shown is string text ? $"'{text}'" : Convert.ToString(shown, System.Globalization.CultureInfo.InvariantCulture)!, error.Message);
        Assert.Contains("true or false, yes or no, 1 or 0, $true or $false", error.Message);
    }

    private static object? Transform(object? value) => new BoolTransformationAttribute().Transform(null!, value!);
}
