using Hailuo.Pipeline;

namespace Hailuo.Tests.Pipeline;

/// <summary>
/// The CSV binder the reliability suite feeds New-HailuoVideo's command logic with (tests/Hailuo.TestLab/Csv): every column
/// of its table binds to its parameter, read as the cmdlet's transformations read it. That the table is the cmdlet's own
/// is checked in PowerShell (tests/Hailuo.PowerShell.Tests/Binding/CsvColumnTests.cs).
/// </summary>
public sealed class CsvBinderTests
{
    // One readable value per parameter, and where the bound row shows it.
    private static readonly Dictionary<string, (string Cell, Func<RowInput, object?> Bound, object Expected)> Samples = new()
    {
        ["Prompt"] = ("a lighthouse", r => r.Request.Prompt, "a lighthouse"),
        ["FirstFrameImage"] = ("https://images.example/a.png", r => r.Request.FirstFrameImage, "https://images.example/a.png"),
        ["Duration"] = (" 10.0 ", r => r.Request.Duration, 10),
        ["Resolution"] = ("1080p", r => r.Request.Resolution, "1080p"),
        ["PromptOptimizer"] = (" False ", r => r.Request.PromptOptimizer, false),
        ["FastPretreatment"] = ("yes", r => r.Request.FastPretreatment, true),
        ["CallbackUrl"] = ("https://hooks.example/done", r => r.Request.CallbackUrl, "https://hooks.example/done"),
        ["Model"] = ("hailuo-2.3-fast", r => r.Request.Model, "hailuo-2.3-fast"),
        ["Provider"] = ("MiniMax", r => r.Provider, "MiniMax"),
    };

    public static TheoryData<string, string> Columns()
    {
        var columns = new TheoryData<string, string>();
        foreach (var (parameter, aliases) in NewHailuoVideoColumns.Parameters)
        {
            foreach (var column in aliases.Prepend(parameter).Append(parameter.ToUpperInvariant()))
            {
                columns.Add(parameter, column);
            }
        }
        return columns;
    }

    [Theory]
    [MemberData(nameof(Columns))]
    public void Each_column_binds_to_its_parameter_and_is_no_tag(string parameter, string column)
    {
        var (cell, bound, expected) = Samples[parameter];

        var row = Csv.Bind(new Dictionary<string, string?> { [column] = cell, ["scene"] = "harbour" }, 1, "row 1");

        Assert.Empty(row.Problems);
        Assert.Equal(expected, bound(row.Input));
        Assert.Equal(["scene"], row.Input.Tag.Keys);
    }

    [Fact]
    public void Every_parameter_of_the_table_has_a_sample_here() =>
        Assert.Equal(NewHailuoVideoColumns.Parameters.Select(p => p.Parameter).Order(), Samples.Keys.Order());

    [Theory]
    [InlineData("Duration", "six")]
    [InlineData("Duration", "6.5")]
    [InlineData("PromptOptimizer", "maybe")]
    [InlineData("fast_pretreatment", "2")]
    public void A_cell_the_cmdlet_cannot_read_is_the_rows_problem_and_binds_nothing(string column, string cell)
    {
        var row = Csv.Bind(new Dictionary<string, string?> { ["Prompt"] = "a cat", [column] = cell }, 1, "row 1");

        var problem = Assert.Single(row.Problems);
        Assert.Equal(NewHailuoVideoColumns.ParameterFor(column), problem.Parameter);
        Assert.Equal(cell, problem.Value);
    }

    [Fact]
    public void Blank_cells_are_not_given()
    {
        var row = Csv.Bind(NewHailuoVideoColumns.Parameters.ToDictionary(p => p.Parameter, _ => (string?)"  "), 1, "row 1");

        Assert.Empty(row.Problems);
        Assert.All(Samples.Values, s => Assert.Null(s.Bound(row.Input)));
    }
}
