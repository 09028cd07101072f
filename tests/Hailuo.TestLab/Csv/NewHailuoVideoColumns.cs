namespace Hailuo.TestLab;

/// <summary>
/// The CSV columns New-HailuoVideo binds: each parameter that takes its value from the pipeline by property name, with
/// its aliases, as NewHailuoVideoCommand declares them. <see cref="Csv.Bind"/> binds by this table; the runspace tests
/// compile this file too (tests/Hailuo.PowerShell.Tests/Binding/CsvColumnTests.cs) and compare it with the cmdlet's own
/// parameters, so that the two cannot drift apart. No engine type here: that test process must not load the engine.
/// </summary>
public static class NewHailuoVideoColumns
{
    /// <summary>Parameter names, in the cmdlet's order, each with its aliases.</summary>
    public static IReadOnlyList<(string Parameter, string[] Aliases)> Parameters { get; } =
    [
        ("Prompt", []),
        ("FirstFrameImage", ["first_frame_image", "image"]),
        ("Duration", []),
        ("Resolution", []),
        ("PromptOptimizer", ["prompt_optimizer"]),
        ("FastPretreatment", ["fast_pretreatment"]),
        ("CallbackUrl", ["callback_url"]),
        ("Model", []),
        ("Provider", []),
    ];

    private static readonly Dictionary<string, string> ParameterByColumn = Parameters
        .SelectMany(p => p.Aliases.Prepend(p.Parameter).Select(column => (column, p.Parameter)))
        .ToDictionary(c => c.column, c => c.Parameter, StringComparer.OrdinalIgnoreCase);

    /// <summary>The parameter a column binds to, as PowerShell matches property names (name or alias, any case); null for a tag column.</summary>
    public static string? ParameterFor(string column) => ParameterByColumn.GetValueOrDefault(column);
}
