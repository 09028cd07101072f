using System.Globalization;
using System.Linq;
using System.Text;

namespace Hailuo.Models;

/// <summary>
/// What a provider's job id may be. Ids go into request paths, file names, the ledger and exported CSVs, so one that
/// holds a path, a control character or a spreadsheet formula is not taken from a server, whatever it says.
/// </summary>
public static class JobIds
{
    public const int MaxLength = 128;

    /// <summary>
    /// Letters and digits, then also <c>- _ . :</c>, at most <see cref="MaxLength"/>, never "..": every id the four
    /// providers issue (Replicate's base-32 ids, MiniMax's and Cloudflare's numbers, core.today's job_ ids) fits.
    /// </summary>
    public static bool IsUsable(string? id) =>
        id is { Length: > 0 and <= MaxLength }
        && IsAsciiLetterOrDigit(id[0])
        && id.All(c => IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
        && id.IndexOf("..", System.StringComparison.Ordinal) < 0;

    /// <summary>An id as a message may show it: controls and invisible marks escaped, and cut at 60 characters.</summary>
    public static string Describe(string id)
    {
        var shown = new StringBuilder();
        foreach (var c in id.Take(60))
        {
            if (Downloads.FileNameTemplate.IsInvisible(c))
            {
                shown.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                shown.Append(c);
            }
        }
        return id.Length > 60 ? shown + string.Format(CultureInfo.InvariantCulture, "... ({0:N0} characters)", id.Length) : shown.ToString();
    }

    private static bool IsAsciiLetterOrDigit(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9';
}
