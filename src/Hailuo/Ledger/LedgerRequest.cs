// What of a request and its tag the ledger keeps: a data: URI image as its hash, a tag as a frozen copy. Apart
// from the record model and its JSON because it decides what is stored, not how: the caller's request is
// copied and cut down here before any record holds it.
using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using Hailuo.Models;

namespace Hailuo.Ledger;

/// <summary>What of a request and its tag the ledger keeps.</summary>
internal static class LedgerRequest
{
    /// <summary>
    /// A copy of the request that is safe to store: a data: URI image becomes <c>data:&lt;type&gt;;sha256=&lt;hex&gt;</c>
    /// (the hash of the decoded bytes, so it matches the image file's own SHA-256). Megabytes of base64 per line
    /// would bloat the ledger and its reads; the caller's input hash already identifies the image.
    /// </summary>
    public static VideoRequest Scrub(VideoRequest request)
    {
        var copy = request.Clone();
        if (copy.FirstFrameImage is { } image && image.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            copy.FirstFrameImage = ScrubDataUri(image);
        }
        return copy;
    }

    internal static string ScrubDataUri(string uri)
    {
        var comma = uri.IndexOf(',');
        var meta = comma < 0 ? uri.Substring(5) : uri.Substring(5, comma - 5);
        if (comma < 0 && meta.IndexOf(";sha256=", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return uri; // already scrubbed
        }
        var semicolon = meta.IndexOf(';');
        var mediaType = semicolon < 0 ? meta : meta.Substring(0, semicolon);
        var payload = comma < 0 ? "" : uri.Substring(comma + 1);
        byte[] bytes;
        if (meta.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                bytes = Convert.FromBase64String(payload);
            }
            catch (FormatException)
            {
                bytes = Encoding.UTF8.GetBytes(payload);
            }
        }
        else
        {
            bytes = Encoding.UTF8.GetBytes(Uri.UnescapeDataString(payload));
        }
        using var sha = SHA256.Create();
        return $"data:{mediaType};sha256={Hex.Lower(sha.ComputeHash(bytes))}";
    }

    /// <summary>A read-only, case-insensitive copy of a tag.</summary>
    public static IReadOnlyDictionary<string, string?> Freeze(IReadOnlyDictionary<string, string?>? tag)
    {
        if (tag is null || tag.Count == 0)
        {
            return LedgerEntry.NoTag;
        }
        var copy = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in tag)
        {
            copy[pair.Key] = pair.Value; // keys differing only in case: the last one wins
        }
        return FreezeTag(copy);
    }

    internal static IReadOnlyDictionary<string, string?> FreezeTag(Dictionary<string, string?> tag) =>
        tag.Count == 0 ? LedgerEntry.NoTag : new System.Collections.ObjectModel.ReadOnlyDictionary<string, string?>(tag);
}
