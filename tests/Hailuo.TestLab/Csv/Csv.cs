using System.Globalization;
using System.Text;
using Hailuo.Models;
using Hailuo.Pipeline;

namespace Hailuo.TestLab;

/// <summary>A cell the binder could not read for a parameter, and what it should have been.</summary>
public sealed record CellProblem(string Parameter, string Value, string Expected)
{
    public override string ToString() => $"{Parameter} '{Value}' is not {Expected}.";
}

/// <summary>A CSV row as New-HailuoVideo binds it: the row it submits, and the cells it could not read.</summary>
public sealed record CsvRow(RowInput Input, IReadOnlyList<CellProblem> Problems)
{
    /// <summary>Hands the row to New-HailuoVideo's command logic as the cmdlet does: a row with a cell it could not read is refused, and nothing is sent for it.</summary>
    public void SubmitTo(VideoSubmission submission)
    {
        if (Problems.Count == 0)
        {
            submission.Process(Input);
            return;
        }
        submission.Refuse(Input, new HailuoError(HailuoErrorKind.Validation, string.Join(" ", Problems) + " Nothing was sent for this row.",
            Problems[0].Parameter));
    }
}

/// <summary>The CSV files the batch reads: a header line, then one line per row (RFC 4180 quoting); and their rows bound as New-HailuoVideo binds them.</summary>
public static class Csv
{
    public static void Write(string path, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Join(",", header.Select(Quote)));
        foreach (var row in rows)
        {
            text.AppendLine(string.Join(",", row.Select(Quote)));
        }
        File.WriteAllText(path, text.ToString());
    }

    /// <summary>Import-Csv: one dictionary per row, keyed by the header's names.</summary>
    public static List<Dictionary<string, string?>> Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).Select(Split).ToList();
        var header = lines[0];
        return lines.Skip(1)
            .Select(cells => header.Select((name, i) => (name, value: i < cells.Count ? cells[i] : ""))
                .ToDictionary(c => c.name, c => (string?)c.value, StringComparer.OrdinalIgnoreCase))
            .ToList();
    }

    /// <summary>
    /// A row's cells as <c>Import-Csv | New-HailuoVideo</c> binds them: a column named like a parameter or one of its aliases
    /// (<see cref="NewHailuoVideoColumns"/>) binds to it, read as the cmdlet's transformations read it (a blank cell is not
    /// given; numbers and true/false words in invariant culture); every other column rides along as the job's tag.
    /// </summary>
    /// <param name="target">What an error about the row points at.</param>
    public static CsvRow Bind(IReadOnlyDictionary<string, string?> cells, long index, object target)
    {
        var request = new VideoRequest();
        var tag = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var problems = new List<CellProblem>();
        string? provider = null;
        foreach (var (column, raw) in cells)
        {
            var text = string.IsNullOrWhiteSpace(raw) ? null : raw;
            switch (NewHailuoVideoColumns.ParameterFor(column))
            {
                case null: tag[column] = raw; break;
                case "Prompt": request.Prompt = text; break;
                case "FirstFrameImage": request.FirstFrameImage = text; break;
                case "Duration": request.Duration = WholeNumber("Duration", text, problems); break;
                case "Resolution": request.Resolution = text; break;
                case "PromptOptimizer": request.PromptOptimizer = Flag("PromptOptimizer", text, problems); break;
                case "FastPretreatment": request.FastPretreatment = Flag("FastPretreatment", text, problems); break;
                case "CallbackUrl": request.CallbackUrl = text; break;
                case "Model": request.Model = text; break;
                case "Provider": provider = text; break;
                case var parameter: throw new InvalidOperationException($"The CSV binder has no case for New-HailuoVideo's -{parameter}.");
            }
        }
        return new CsvRow(new RowInput(request, index) { Provider = provider, Tag = tag, Target = target }, problems);
    }

    /// <summary>As NullableIntTransformationAttribute reads a cell: "6" or "6.0", invariant culture, trimmed.</summary>
    private static int? WholeNumber(string parameter, string? text, List<CellProblem> problems)
    {
        const NumberStyles wholeNumberText = NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;
        if (text is null)
        {
            return null;
        }
        if (decimal.TryParse(text, wholeNumberText, CultureInfo.InvariantCulture, out var number) && number == decimal.Truncate(number)
            && number >= int.MinValue && number <= int.MaxValue)
        {
            return (int)number;
        }
        problems.Add(new CellProblem(parameter, text, "a whole number"));
        return null;
    }

    /// <summary>As BoolTransformationAttribute reads a cell: true/false, yes/no, 1/0, $true/$false, any case, trimmed.</summary>
    private static bool? Flag(string parameter, string? text, List<CellProblem> problems)
    {
        if (text is null)
        {
            return null;
        }
        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "yes" or "1" or "$true":
                return true;
            case "false" or "no" or "0" or "$false":
                return false;
            default:
                problems.Add(new CellProblem(parameter, text, "true or false"));
                return null;
        }
    }

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static List<string> Split(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                cell.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }
        cells.Add(cell.ToString());
        return cells;
    }
}
