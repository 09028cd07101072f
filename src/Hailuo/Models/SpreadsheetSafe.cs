namespace Hailuo.Models;

/// <summary>
/// Text a provider wrote that ends up in job objects, and so in what users export with Export-Csv: a spreadsheet
/// runs a cell that starts with = + - @ (or a tab or carriage return before one) as a formula.
/// </summary>
public static class SpreadsheetSafe
{
    public static bool StartsFormula(string? text) => text is { Length: > 0 } && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r';

    /// <summary>The text with a leading apostrophe when it would start a formula, as OWASP advises; otherwise unchanged.</summary>
    public static string Text(string text) => StartsFormula(text) ? "'" + text : text;
}
