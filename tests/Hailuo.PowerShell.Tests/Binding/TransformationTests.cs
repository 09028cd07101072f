using System.Management.Automation;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Binding;

/// <summary>
/// The argument transformations of New-HailuoVideo through PowerShell's own binder: Import-Csv hands over every
/// cell as a string, where PowerShell alone would read "False" as $true and an empty cell as 0.
/// </summary>
public sealed class TransformationTests : RunspaceTest
{
    // A cell no parameter can read is its row's error, so the row is counted and the later rows keep their numbers.
    private const string RowError = "Hailuo.Validation,Hailuo.PowerShell.Commands.NewHailuoVideoCommand";

    // A value typed on the command line stops the command before any row is sent.
    private const string ArgumentError = "Hailuo.InvalidArgument,Hailuo.PowerShell.Commands.NewHailuoVideoCommand";

    [Fact]
    public void Csv_cells_for_a_bool_parameter_read_as_true_false_or_not_given()
    {
        var expected = new Dictionary<string, object?>
        {
            ["False"] = false, ["false"] = false, [" FALSE "] = false, ["no"] = false, ["NO"] = false, ["0"] = false, ["$false"] = false,
            ["True"] = true, ["yes"] = true, ["1"] = true, ["$TRUE"] = true,
            [""] = null, ["   "] = null,
        };

        Assert.Equal(expected, BindCells("prompt_optimizer", "PromptOptimizer", expected.Keys));
    }

    [Fact]
    public void Csv_cells_for_an_int_parameter_read_whole_numbers_and_an_empty_cell_as_not_given_never_0()
    {
        var expected = new Dictionary<string, object?> { ["6"] = 6, [" 10 "] = 10, ["6.0"] = 6, ["10.00"] = 10, ["+6"] = 6, [""] = null, ["  "] = null };

        Assert.Equal(expected, BindCells("duration", "Duration", expected.Keys));
    }

    [Fact]
    public void The_fast_pretreatment_column_binds_through_its_alias_and_reads_False_as_false()
    {
        var bound = BindCells("fast_pretreatment", "FastPretreatment", ["False", "yes"], "MiniMax");

        Assert.Equal(new Dictionary<string, object?> { ["False"] = false, ["yes"] = true }, bound);
    }

    [Theory]
    [InlineData("-PromptOptimizer False", false)]
    [InlineData("-PromptOptimizer no", false)]
    [InlineData("-PromptOptimizer 0", false)]
    [InlineData("-PromptOptimizer:$false", false)]
    [InlineData("-PromptOptimizer $true", true)]
    [InlineData("-PromptOptimizer 1", true)]
    [InlineData("-PromptOptimizer ''", null)]
    public void A_bool_parameter_typed_at_the_prompt_reads_words_numbers_and_booleans(string argument, bool? expected) =>
        Assert.Equal(expected, BindArgument(argument, "PromptOptimizer"));

    [Theory]
    [InlineData("-Duration 10.0", 10)]
    [InlineData("-Duration 6", 6)]
    [InlineData("-Duration '6'", 6)]
    [InlineData("-Duration ''", null)]
    [InlineData("-Duration $null", null)]
    public void An_int_parameter_typed_at_the_prompt_takes_whole_numbers_of_any_type(string argument, int? expected) =>
        Assert.Equal(expected, BindArgument(argument, "Duration"));

    [Fact]
    public void A_bool_cell_that_is_no_boolean_is_an_error_about_its_row_naming_the_accepted_words_and_the_batch_goes_on()
    {
        var errors = RefusedRows("prompt_optimizer", ["maybe", "2", "on"], "no");

        Assert.All(errors, error => Assert.Contains(
            $"PromptOptimizer '{((PSObject)error.TargetObject).Text("prompt_optimizer")}' is not true or false: use true or false, yes or no, 1 or 0, $true or $false, or an empty value.",
            error.Exception.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void An_int_cell_that_is_no_whole_number_is_a_clear_error_about_its_row_and_sends_nothing_for_it()
    {
        var errors = RefusedRows("duration", ["abc", "6.5", "0x10", "2147483648"], "10");

        Assert.All(errors, error =>
        {
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Contains($"Duration '{((PSObject)error.TargetObject).Text("duration")}' is not a whole number: use digits such as 6 or 10, or leave it empty.",
                error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("-Duration", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("-Duration 6.5", "Duration 6.5 (Double) is not a whole number")]
    [InlineData("-Duration $true", "Duration True (Boolean) is not a whole number")]
    [InlineData("-Duration six", "Duration 'six' is not a whole number")]
    [InlineData("-PromptOptimizer 2", "PromptOptimizer 2 (Int32) is not true or false: use true or false, yes or no, 1 or 0, $true or $false, or an empty value.")]
    [InlineData("-PromptOptimizer 0.5", "PromptOptimizer 0.5 (Double) is not true or false")]
    [InlineData("-PromptOptimizer maybe", "PromptOptimizer 'maybe' is not true or false")]
    public void An_int_or_bool_parameter_typed_at_the_prompt_refuses_anything_else_before_anything_is_sent(string argument, string message)
    {
        Connect();

        // try/catch catches terminating errors only.
        var result = Run($"try {{ New-HailuoVideo -Prompt 'A kite over a hill' {argument} }} catch {{ $_ }}");

        var error = Assert.Single(result.Objects<ErrorRecord>());
        Assert.Equal(ArgumentError, error.FullyQualifiedErrorId);
        Assert.Contains(message, error.Exception.Message, StringComparison.Ordinal);
        Assert.Single(result.Output);
        Assert.Equal(0, Emulator.Count("createRequests"));
    }

    [Fact]
    public void Numbers_in_cells_and_arguments_read_the_same_whatever_the_culture()
    {
        // With a comma for decimals, "6.0" would be sixty and "6,0" six: a CSV cell must mean the same everywhere.
        WriteCsv("rows.csv", "case,prompt,duration", ["point,A kite in Berlin,6.0", "comma,A kite in Munich,\"6,0\""]);
        Connect();

        var result = Run("""
            [cultureinfo]::CurrentCulture = 'de-DE'
            Import-Csv rows.csv | New-HailuoVideo
            New-HailuoVideo -Prompt 6.5
            """);

        var rows = result.Output.Where(job => job.Properties["case"] is not null).ToList();
        Assert.Equal(6, (int?)Assert.Single(rows, job => job.Text("case") == "point").Property("Duration"));
        Assert.DoesNotContain(rows, job => job.Text("case") == "comma");
        var refused = Assert.Single(result.Errors);
        Assert.Contains("Duration '6,0' is not a whole number", refused.Exception.Message, StringComparison.Ordinal);
        // A number bound to a string parameter is written with a point too.
        Assert.Contains(result.Output, job => job.Text("Prompt") == "6.5");
    }

    [Fact]
    public void Empty_and_blank_cells_of_text_parameters_mean_not_given()
    {
        WriteCsv("rows.csv", "prompt,model,resolution,provider,callback_url,first_frame_image", ["A lantern festival,,  ,,,"]);
        Connect();

        var job = Assert.Single(Run("Import-Csv rows.csv | New-HailuoVideo").AssertNoErrors().Output);

        Assert.Equal("hailuo-2.3", job.Text("Model"));
        Assert.Equal("CoreToday", job.Text("Provider"));
        Assert.Null(job.Property("Resolution"));
        Assert.Null(job.Property("CallbackUrl"));
        Assert.Null(job.Property("FirstFrameImage"));
    }

    [Fact]
    public void An_empty_prompt_cell_is_an_error_about_its_row_not_an_empty_prompt_sent()
    {
        WriteCsv("rows.csv", "case,prompt", ["blank,\"  \"", "good,A lantern festival"]);
        Connect();

        var result = Run("Import-Csv rows.csv | New-HailuoVideo");

        Assert.Equal(["good"], result.Output.Select(job => job.Text("case")));
        Assert.NotEmpty(result.Errors);
        Assert.All(result.Errors, error =>
        {
            Assert.Equal("blank", ((PSObject)error.TargetObject).Text("case"));
            Assert.Contains("Row 1", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("prompt", error.Exception.Message, StringComparison.OrdinalIgnoreCase);
        });
        Assert.Equal(1, Emulator.Count("createRequests"));
    }

    [Fact]
    public void A_file_object_for_the_first_frame_image_binds_as_its_path()
    {
        var image = CopyFirstFrameImage();
        Connect();

        var job = Assert.Single(Run("New-HailuoVideo -Prompt 'The scene comes alive' -FirstFrameImage (Get-Item ./first-frame.png)").AssertNoErrors().Output);

        Assert.Equal(image, job.Text("FirstFrameImage"));
    }

    [Theory]
    [InlineData("Get-HailuoJob -Status Exploded", "Status")]
    [InlineData("Get-HailuoJob -First 0", "First")]
    [InlineData("Wait-HailuoJob -Id job-1 -Timeout -1", "Timeout")]
    [InlineData("Save-HailuoVideo -Id job-1 -ThrottleLimit 0", "ThrottleLimit")]
    [InlineData("Save-HailuoVideo -Id job-1 -ThrottleLimit 65", "ThrottleLimit")]
    [InlineData("New-HailuoVideo -Prompt 'A kite' -MaxCredits 0", "MaxCredits")]
    public void Values_outside_a_parameters_set_or_range_are_refused_by_the_binder_before_anything_runs(string command, string parameter)
    {
        Connect();

        var result = Run(command);

        var error = result.SingleError();
        Assert.StartsWith("ParameterArgumentValidationError,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains($"'{parameter}'", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(0, Emulator.Count("requests"));
    }

    [Fact]
    public void A_status_from_the_set_binds_in_any_case()
    {
        Connect();
        Run("New-HailuoVideo -Prompt 'A kite over a hill' | Wait-HailuoJob").AssertNoErrors();

        var listed = Run("Get-HailuoJob -Status succeeded").AssertNoErrors();

        Assert.Equal(["Succeeded"], listed.Output.Select(job => job.Text("Status")));
    }

    /// <summary>Feeds each cell, in a row of its own, through Import-Csv to New-HailuoVideo, and gives what each became on the job.</summary>
    private Dictionary<string, object?> BindCells(string column, string property, IEnumerable<string> cells, string provider = "CoreToday")
    {
        var list = cells.ToList();
        WriteCsv("rows.csv", $"case,prompt,{column}", list.Select((cell, i) => $"{i},A kite over a hill {i},\"{cell}\""));
        Connect(provider);
        var byCase = Run("Import-Csv rows.csv | New-HailuoVideo").AssertNoErrors().Output.ToDictionary(job => job.Text("case")!);
        return list.Select((cell, i) => (cell, byCase[i.ToString(System.Globalization.CultureInfo.InvariantCulture)].Property(property)))
            .ToDictionary(pair => pair.cell, pair => pair.Item2);
    }

    /// <summary>What <paramref name="argument"/>, typed after New-HailuoVideo -Prompt, became on the job.</summary>
    private object? BindArgument(string argument, string property)
    {
        Connect();
        return Assert.Single(Run($"New-HailuoVideo -Prompt 'A lighthouse in a storm' {argument}").AssertNoErrors().Output).Property(property);
    }

    /// <summary>
    /// Rows with <paramref name="refused"/> in <paramref name="column"/>, and one with <paramref name="good"/> last: the bad ones are
    /// binding errors about their own rows, non-terminating, and the good one is still submitted, alone.
    /// </summary>
    private IReadOnlyList<ErrorRecord> RefusedRows(string column, string[] refused, string good)
    {
        WriteCsv("rows.csv", $"case,prompt,{column}", refused.Append(good).Select((cell, i) => $"{i},A fox in the snow {i},\"{cell}\""));
        Connect();

        var result = Run("Import-Csv rows.csv | New-HailuoVideo");

        Assert.Null(result.Terminating);
        Assert.Equal([refused.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)], result.Output.Select(job => job.Text("case")));
        // The good row is still counted as its own row, after every refused one.
        Assert.Equal(refused.Length + 1L, result.Output.Single().Property("Index"));
        Assert.All(result.Errors, error => Assert.Equal(RowError, error.FullyQualifiedErrorId));
        Assert.All(result.Errors, error => Assert.StartsWith("Row ", error.Exception.Message, StringComparison.Ordinal));
        Assert.Equal(refused.Order(StringComparer.Ordinal), result.Errors.Select(error => ((PSObject)error.TargetObject).Text(column)).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(1, Emulator.Count("createRequests"));
        return result.Errors;
    }
}
