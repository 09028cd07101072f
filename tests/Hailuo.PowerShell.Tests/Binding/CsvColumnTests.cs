using Hailuo.PowerShell.Tests.Hosting;
using Hailuo.TestLab;

namespace Hailuo.PowerShell.Tests.Binding;

/// <summary>
/// The test projects' CSV binder (tests/Hailuo.TestLab/Csv) binds exactly the columns <c>Import-Csv | New-HailuoVideo</c>
/// binds: its table, compiled into this project too, against the parameters the loaded cmdlet takes by property name.
/// </summary>
public sealed class CsvColumnTests : RunspaceTest
{
    [Fact]
    public void The_csv_binder_binds_exactly_the_columns_New_HailuoVideo_takes_by_property_name_with_their_aliases()
    {
        var cmdlet = Run("""
            (Get-Command New-HailuoVideo).Parameters.Values |
                Where-Object { $_.ParameterSets.Values.ValueFromPipelineByPropertyName -contains $true } |
                ForEach-Object { $_.Name + '=' + ($_.Aliases -join ',') }
            """).AssertNoErrors().Output.Select(o => (string)o.BaseObject).ToList();

        Assert.Equal(Normalised(cmdlet), Normalised(NewHailuoVideoColumns.Parameters.Select(p => p.Parameter + "=" + string.Join(",", p.Aliases))));
    }

    /// <summary>"Name=alias,alias" lines in one order, their aliases in one order, so that only names and aliases count.</summary>
    private static List<string> Normalised(IEnumerable<string> lines) => lines
        .Select(line => line.Split('='))
        .Select(parts => parts[0] + "=" + string.Join(",", parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)))
        .Order(StringComparer.Ordinal)
        .ToList();
}
