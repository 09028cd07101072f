using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Hailuo.Models;

/// <summary>
/// A fingerprint of what a create would buy: the same input on the same provider is the same video,
/// so the ledger can reuse the job instead of paying again.
/// </summary>
public static class InputHash
{
    /// <summary>The hash; for a local image, <paramref name="imageContentHash"/> is the hash of its bytes, so an edited file is a new input.</summary>
    public static string Compute(HailuoProvider provider, VideoRequest request, string? imageContentHash = null)
    {
        var image = request.FirstFrameImage switch
        {
            null or "" => "",
            _ when imageContentHash is not null => "file-sha256:" + imageContentHash,
            var value when value.StartsWith("data:", StringComparison.OrdinalIgnoreCase) => "data-sha256:" + Sha256(value),
            var value => value,
        };
        var canonical = string.Join("\n",
            "v1",
            provider.ToString(),
            request.EffectiveModel ?? request.Model ?? "",
            request.Prompt ?? "",
            image,
            request.EffectiveDuration.ToString(CultureInfo.InvariantCulture),
            request.EffectiveResolution ?? request.Resolution ?? "",
            request.EffectivePromptOptimizer ? "1" : "0",
            request.FastPretreatment is null ? "" : request.EffectiveFastPretreatment ? "1" : "0",
            request.CallbackUrl ?? "");
        return Sha256(canonical);
    }

    private static string Sha256(string text)
    {
        using var sha = SHA256.Create();
        return Hex.Lower(sha.ComputeHash(Encoding.UTF8.GetBytes(text)));
    }
}
