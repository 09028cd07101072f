using System.Management.Automation;
using Hailuo.PowerShell.Common;

namespace Hailuo.Tests.PowerShell;

public sealed class EmptyToNullTransformationAttributeTests
{
    public static readonly TheoryData<object?> NullValues = new()
    {
        null, "", " ", "\t\r\n", new PSObject(""), new PSObject("   "),
    };

    public static readonly TheoryData<object, string> TextValues = new()
    {
        { "A cat", "A cat" },
        { "  padded  ", "  padded  " },
        { new PSObject("hailuo-2.3"), "hailuo-2.3" },
        { 6, "6" },
        { 6.5, "6.5" },
        { 1080L, "1080" },
        { true, "True" },
        { new PSObject(10), "10" },
    };

    [Theory]
    [MemberData(nameof(NullValues))]
    public void Turns_empty_and_blank_into_null(object? value) => Assert.Null(Transform(value));

    [Theory]
    [MemberData(nameof(TextValues))]
    public void Keeps_text_as_is_and_turns_simple_values_into_invariant_text(object value, string expected) =>
        Assert.Equal(expected, Transform(value));

    [Fact]
    public void Formats_numbers_the_same_whatever_the_current_culture()
    {
        using var culture = new CommaDecimalCulture();
        Assert.Equal("6.5", Transform(6.5));
    }

    [Fact]
    public void Leaves_other_objects_to_PowerShells_own_conversion()
    {
        var array = new object[] { "a", "b" };
        Assert.Same(array, Transform(array));
        var wrapped = new PSObject(new FileInfo("first-frame.png"));
        Assert.Same(wrapped, Transform(wrapped));
    }

    private static object? Transform(object? value) => new EmptyToNullTransformationAttribute().Transform(null!, value!);
}
