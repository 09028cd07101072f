using System.Management.Automation;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Binding;

/// <summary>
/// The argument transformations of New-HailuoVideo through PowerShell's own binder: Import-Csv hands over every
/// cell as a string, where PowerShell alone would read "False" as $true and an empty cell as 0.
/// </summary>
public sealed class TransformationTests : RunspaceTest
{
    private const string TransformationError = "ParameterArgumentTransformationError,Hailuo.PowerShell.Commands.NewHailuoVideoCommand";

    [Fact]
    public void Csv_cells_for_a_bool_parameter_read_as_true_false_or_not_given()
    {
        var expected = new Dictionary<string, bool?>
        {
            ["False"] = false, ["false"] = false, [" FALSE "] = false, ["no"] = false, ["NO"] = false, ["0"] = false, ["$false"] = false,
            ["True"] = true, ["yes"] = true, ["1"] = true, ["$TRUE"] = true,
            [""] = null, ["   "] = null,
        };
        WriteCsv("rows.csv", "case,prompt,prompt_optimizer", expected.Keys.Select((cell, i) => $"{i},A kite over a hill {i},\"{cell}\""));
        Connect();

        var result = Run("Import-Csv rows.csv | New-HailuoVideo").AssertNoErrors();

        var byCase = result.Output.ToDictionary(job => int.Parse(job.Text("case")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected.Count, byCase.Count);
        foreach (var (cell, i) in expected.Keys.Select((cell, i) => (cell, i)))
        {
            Assert.True(expected[cell] == (bool?)byCase[i].Property("PromptOptimizer"), $"prompt_optimizer '{cell}' became {byCase[i].Property("PromptOptimizer") ?? "null"}");
        }
    }

    [Fact]
    public void The_fast_pretreatment_column_binds_through_its_alias_and_reads_False_as_false()
    {
        WriteCsv("rows.csv", "prompt,fast_pretreatment", ["A heron in the reeds,False", "A heron at dawn,yes"]);
        Connect("MiniMax");

        var result = Run("Import-Csv rows.csv | New-HailuoVideo").AssertNoErrors();

        var byPrompt = result.Output.ToDictionary(job => job.Text("Prompt")!, job => (bool?)job.Property("FastPretreatment"));
        Assert.Equal(false, byPrompt["A heron in the reeds"]);
        Assert.Equal(true, byPrompt["A heron at dawn"]);
    }

    [Theory]
    [InlineData("-PromptOptimizer False", false)]
    [InlineData("-PromptOptimizer no", false)]
    [InlineData("-PromptOptimizer 0", false)]
    [InlineData("-PromptOptimizer:$false", false)]
    [InlineData("-PromptOptimizer $true", true)]
    [InlineData("-PromptOptimizer 1", true)]
    [InlineData("-PromptOptimizer ''", null)]
    public void A_bool_parameter_typed_at_the_prompt_reads_words_numbers_and_booleans(string argument, bool? expected)
    {
        Connect();

        var job = Assert.Single(Run($"New-HailuoVideo -Prompt 'A lighthouse in a storm' {argument}").AssertNoErrors().Output);

        Assert.Equal(expected, (bool?)job.Property("PromptOptimizer"));
    }

    [Fact]
    public void A_bool_cell_that_is_no_boolean_is_an_error_about_its_row_naming_the_accepted_words_and_the_batch_goes_on()
    {
        WriteCsv("rows.csv", "case,prompt,prompt_optimizer", ["maybe,A fox in snow,maybe", "two,A fox at night,2", "on,A fox by a river,on", "good,A fox in a field,no"]);
        Connect();

        var result = Run("Import-Csv rows.csv | New-HailuoVideo");

        Assert.Null(result.Terminating);
        Assert.Equal(["good"], result.Output.Select(job => job.Text("case")));
        Assert.All(result.Errors, error =>
        {
            Assert.Equal(TransformationError, error.FullyQualifiedErrorId);
            var cell = ((PSObject)error.TargetObject).Text("prompt_optimizer");
            Assert.Contains($"'{cell}'", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("true or false, yes or no, 1 or 0, $true or $false", error.Exception.Message, StringComparison.Ordinal);
        });
        Assert.Equal(["maybe", "on", "two"], result.Errors.Select(error => ((PSObject)error.TargetObject).Text("case")).Distinct().Order());
        Assert.Equal(1, Emulator.Count("createRequests"));
    }

    [Fact]
    public void Csv_cells_for_an_int_parameter_read_whole_numbers_and_an_empty_cell_as_not_given_never_0()
    {
        var expected = new Dictionary<string, int?> { ["6"] = 6, [" 10 "] = 10, ["6.0"] = 6, ["10.00"] = 10, ["+6"] = 6, [""] = null, ["  "] = null };
        WriteCsv("rows.csv", "case,prompt,duration", expected.Keys.Select((cell, i) => $"{i},A paper boat in a gutter {i},\"{cell}\""));
        Connect();

        var result = Run("Import-Csv rows.csv | New-HailuoVideo").AssertNoErrors();

        var byCase = result.Output.ToDictionary(job => int.Parse(job.Text("case")!, System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (cell, i) in expected.Keys.Select((cell, i) => (cell, i)))
        {
            Assert.True(expected[cell] == (int?)byCase[i].Property("Duration"), $"duration '{cell}' became {byCase[i].Property("Duration") ?? "null"}");
        }
    }

    [Fact]
    public void An_int_cell_that_is_no_whole_number_is_a_clear_error_about_its_row_and_sends_nothing_for_it()
    {
        WriteCsv("rows.csv", "case,prompt,duration", ["abc,A chef slicing sushi,abc", "half,A chef plating,6.5", "hex,A chef tasting,0x10", "big,A chef resting,2147483648", "good,A chef smiling,10"]);
        Connect();

        var result = Run("Import-Csv rows.csv | New-HailuoVideo");

        Assert.Null(result.Terminating);
        Assert.Equal(["good"], result.Output.Select(job => job.Text("case")));
        Assert.All(result.Errors, error =>
        {
            Assert.Equal(TransformationError, error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
            var cell = ((PSObject)error.TargetObject).Text("duration");
            Assert.Contains($"Cannot read '{cell}' as a whole number. Use digits such as 6 or 10, or an empty value.", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("'Duration'", error.Exception.Message, StringComparison.Ordinal);
        });
        Assert.Equal(["abc", "big", "half", "hex"], result.Errors.Select(error => ((PSObject)error.TargetObject).Text("case")).Distinct().Order());
        Assert.Equal(1, Emulator.Count("createRequests"));
    }

    [Theory]
    [InlineData("-Duration 10.0", 10)]
    [InlineData("-Duration 6", 6)]
    [InlineData("-Duration '6'", 6)]
    [InlineData("-Duration ''", null)]
    [InlineData("-Duration $null", null)]
    public void An_int_parameter_typed_at_the_prompt_takes_whole_numbers_of_any_type(string argument, int? expected)
    {
        Connect();

        var job = Assert.Single(Run($"New-HailuoVideo -Prompt 'A kite over a hill' {argument}").AssertNoErrors().Output);

        Assert.Equal(expected, (int?)job.Property("Duration"));
    }

    [Theory]
    [InlineData("-Duration 6.5", "6.5 (Double)")]
    [InlineData("-Duration $true", "True (Boolean)")]
    [InlineData("-Duration six", "'six'")]
    public void An_int_parameter_typed_at_the_prompt_refuses_anything_else_before_anything_is_sent(string argument, string shown)
    {
        Connect();

        var result = Run($"New-HailuoVideo -Prompt 'A kite over a hill' {argument}");

        var error = result.Terminating?.ErrorRecord ?? Assert.Single(result.Errors);
        Assert.Equal(TransformationError, error.FullyQualifiedErrorId);
        Assert.Contains($"Cannot read {shown} as a whole number", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(result.Output);
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
        Assert.Contains("Cannot read '6,0' as a whole number", refused.Exception.Message, StringComparison.Ordinal);
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
        File.Copy(RepoPaths.Combine("examples", "first-frame.png"), Home.File("first-frame.png"));
        Connect();

        var job = Assert.Single(Run("New-HailuoVideo -Prompt 'The scene comes alive' -FirstFrameImage (Get-Item ./first-frame.png)").AssertNoErrors().Output);

        Assert.Equal(Home.File("first-frame.png"), job.Text("FirstFrameImage"));
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

        // A binding error ends the statement; in a script it is written as an error, not thrown.
        var error = result.Terminating?.ErrorRecord ?? Assert.Single(result.Errors);
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
}
