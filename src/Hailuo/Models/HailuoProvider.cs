namespace Hailuo.Models;

/// <summary>The HTTP APIs that serve Hailuo 2.3.</summary>
public enum HailuoProvider
{
    /// <summary>core.today's prediction API: the default, 420 credits a video.</summary>
    CoreToday,
    /// <summary>Cloudflare Workers AI; needs an account id.</summary>
    Cloudflare,
    /// <summary>Replicate's official model minimax/hailuo-2.3.</summary>
    Replicate,
    /// <summary>MiniMax's own API, on its global or mainland host.</summary>
    MiniMax,
}

/// <summary>The two Hailuo 2.3 models.</summary>
public static class HailuoModels
{
    /// <summary>Text-to-video and image-to-video.</summary>
    public const string Standard = "hailuo-2.3";

    /// <summary>Image-to-video only: needs a first frame.</summary>
    public const string Fast = "hailuo-2.3-fast";

    public static readonly string[] All = { Standard, Fast };

    /// <summary>Accepts the short names and the providers' own ids (MiniMax-Hailuo-2.3-Fast, minimax/hailuo-2.3).</summary>
    public static string? Normalize(string? model)
    {
        if (model is null || model.Trim().Length == 0)
        {
            return Standard;
        }
        var m = model.Trim().ToLowerInvariant();
        if (m.StartsWith("minimax/", System.StringComparison.Ordinal))
        {
            m = m.Substring("minimax/".Length);
        }
        if (m.StartsWith("minimax-", System.StringComparison.Ordinal))
        {
            m = m.Substring("minimax-".Length);
        }
        return m switch
        {
            Standard => Standard,
            Fast => Fast,
            _ => null,
        };
    }
}
