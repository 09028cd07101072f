using System.Management.Automation;
using Hailuo.PowerShell.Completion;

namespace Hailuo.Tests.PowerShell;

public sealed class StaticSetCompleterTests
{
    public static readonly TheoryData<string, StaticSetCompleter> Completers = new()
    {
        { "Provider", new ProviderCompleter() },
        { "Model", new ModelCompleter() },
        { "Resolution", new ResolutionCompleter() },
        { "Duration", new DurationCompleter() },
    };

    [Theory]
    [MemberData(nameof(Completers))]
    public void Offers_exactly_what_docs_cmdlets_md_lists(string name, StaticSetCompleter completer)
    {
        Assert.Equal(CmdletsDoc.CompleterValues[name], completer.Values);
        Assert.Equal(completer.Values, Texts(completer, ""));
    }

    [Theory]
    [InlineData("c", new[] { "CoreToday", "Cloudflare" })]
    [InlineData("CORE", new[] { "CoreToday" })]
    [InlineData("mini", new[] { "MiniMax" })]
    [InlineData("rep", new[] { "Replicate" })]
    [InlineData("x", new string[0])]
    [InlineData("CoreTodayX", new string[0])]
    public void Filters_providers_by_the_word_typed_ignoring_case(string word, string[] expected) =>
        Assert.Equal(expected, Texts(new ProviderCompleter(), word));

    [Theory]
    [InlineData("HAILUO-2.3-", new[] { "hailuo-2.3-fast" })]
    [InlineData("hailuo-2.3", new[] { "hailuo-2.3", "hailuo-2.3-fast" })]
    [InlineData("minimax", new string[0])]
    public void Filters_models(string word, string[] expected) => Assert.Equal(expected, Texts(new ModelCompleter(), word));

    [Theory]
    [InlineData("1", new[] { "1080p" })]
    [InlineData("768P", new[] { "768p" })]
    public void Filters_resolutions(string word, string[] expected) => Assert.Equal(expected, Texts(new ResolutionCompleter(), word));

    [Theory]
    [InlineData("1", new[] { "10" })]
    [InlineData("6", new[] { "6" })]
    [InlineData("7", new string[0])]
    public void Filters_durations(string word, string[] expected) => Assert.Equal(expected, Texts(new DurationCompleter(), word));

    [Theory]
    [InlineData("'co", "'CoreToday'")]
    [InlineData("'co'", "'CoreToday'")]
    [InlineData("\"co", "\"CoreToday\"")]
    public void Keeps_the_quote_the_word_was_typed_with(string word, string expected) =>
        Assert.Equal(expected, Texts(new ProviderCompleter(), word).Single());

    [Fact]
    public void Results_are_parameter_values_listed_and_explained_by_the_value_itself()
    {
        var result = Assert.Single(Complete(new ResolutionCompleter(), "10"));
        Assert.Equal("1080p", result.CompletionText);
        Assert.Equal("1080p", result.ListItemText);
        Assert.Equal("1080p", result.ToolTip);
        Assert.Equal(CompletionResultType.ParameterValue, result.ResultType);
    }

    [Fact]
    public void A_missing_word_completes_like_an_empty_one() =>
        Assert.Equal(2, Complete(new DurationCompleter(), null!).Count);

    internal static List<CompletionResult> Complete(IArgumentCompleter completer, string word) =>
        completer.CompleteArgument("New-HailuoVideo", "Parameter", word, null!, null!).ToList();

    private static string[] Texts(IArgumentCompleter completer, string word) =>
        Complete(completer, word).Select(result => result.CompletionText).ToArray();
}
