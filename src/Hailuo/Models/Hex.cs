using System.Text;

namespace Hailuo.Models;

/// <summary>Lowercase hex of hashes, as ledger keys, input hashes and fingerprints are written (netstandard2.0 has no Convert.ToHexString).</summary>
internal static class Hex
{
    private const string Digits = "0123456789abcdef";

    /// <summary>The first <paramref name="count"/> bytes (all by default) as lowercase hex.</summary>
    public static string Lower(byte[] bytes, int? count = null)
    {
        var take = count ?? bytes.Length;
        var text = new StringBuilder(take * 2);
        for (var i = 0; i < take; i++)
        {
            text.Append(Digits[bytes[i] >> 4]).Append(Digits[bytes[i] & 0xF]);
        }
        return text.ToString();
    }
}
