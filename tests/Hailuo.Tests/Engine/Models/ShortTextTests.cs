using Hailuo.Models;

namespace Hailuo.Tests.Engine.Models;

/// <summary>The one way text is cut for messages and tooltips: whole when it fits, else cut with the ellipsis counted in.</summary>
public sealed class ShortTextTests
{
    [Theory]
    [InlineData("", 5, "")]
    [InlineData("abcde", 5, "abcde")]
    [InlineData("abcdef", 5, "ab...")]
    [InlineData("abcdefghij", 3, "...")]
    public void Text_longer_than_the_limit_is_cut_to_the_limit_with_the_ellipsis_counted(string text, int max, string expected) =>
        Assert.Equal(expected, ShortText.Cut(text, max));

    [Fact]
    public void A_one_character_ellipsis_leaves_more_of_the_text() =>
        Assert.Equal("abcd…", ShortText.Cut("abcdefgh", 5, "…"));

    [Fact]
    public void A_surrogate_pair_at_the_cut_is_dropped_whole_never_split()
    {
        var text = "ab\U0001F3AC" + "cdef"; // a, b, clapper board (two UTF-16 units), c, d, e, f

        var cut = ShortText.Cut(text, 6);

        Assert.Equal("ab...", cut);
        Assert.DoesNotContain(cut, c => char.IsSurrogate(c));
    }
}
