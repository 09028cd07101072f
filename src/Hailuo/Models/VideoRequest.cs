using System;
using System.Collections.Generic;

namespace Hailuo.Models;

/// <summary>
/// What to generate. Unset fields take the model's defaults: 6 seconds at 768p, prompt optimizer on,
/// fast pretreatment off, the standard model.
/// </summary>
public sealed class VideoRequest
{
    public const int DefaultDuration = 6;
    public const string Resolution768 = "768p";
    public const string Resolution1080 = "1080p";
    public const int MaxPromptLength = 2000;

    public string? Prompt { get; set; }

    /// <summary>An https URL, a <c>data:image/...;base64</c> URI, or a local file path.</summary>
    public string? FirstFrameImage { get; set; }

    /// <summary>6 or 10 seconds; 10 only at 768p.</summary>
    public int? Duration { get; set; }

    /// <summary>768p or 1080p, in any casing.</summary>
    public string? Resolution { get; set; }

    public bool? PromptOptimizer { get; set; }

    public bool? FastPretreatment { get; set; }

    public string? CallbackUrl { get; set; }

    /// <summary>hailuo-2.3 (default) or hailuo-2.3-fast, which needs an image.</summary>
    public string? Model { get; set; }

    public int EffectiveDuration => Duration ?? DefaultDuration;

    /// <summary>"768p" or "1080p" in lower case; null when the value is not one of them.</summary>
    public string? EffectiveResolution => NormalizeResolution(Resolution);

    public string? EffectiveModel => HailuoModels.Normalize(Model);

    public bool EffectivePromptOptimizer => PromptOptimizer ?? true;

    public bool EffectiveFastPretreatment => FastPretreatment ?? false;

    public static string? NormalizeResolution(string? resolution)
    {
        if (resolution is null || resolution.Trim().Length == 0)
        {
            return Resolution768;
        }
        return resolution.Trim().ToLowerInvariant() switch
        {
            "768p" or "768" => Resolution768,
            "1080p" or "1080" => Resolution1080,
            _ => null,
        };
    }

    /// <summary>Whether the image is a local path rather than a URL or data URI.</summary>
    public bool HasLocalImage =>
        FirstFrameImage is { Length: > 0 } image
        && !image.StartsWith("data:", StringComparison.OrdinalIgnoreCase)
        && !(Uri.TryCreate(image, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp));

    public VideoRequest Clone() => (VideoRequest)MemberwiseClone();

    /// <summary>A one-line description without the image payload, for messages and WhatIf.</summary>
    public override string ToString()
    {
        var parts = new List<string> { $"{EffectiveModel ?? Model}", $"{EffectiveDuration}s", EffectiveResolution ?? Resolution ?? "" };
        if (FirstFrameImage is { Length: > 0 } image)
        {
            parts.Add(image.StartsWith("data:", StringComparison.OrdinalIgnoreCase) ? "image: data URI" : $"image: {image}");
        }
        var prompt = Prompt ?? "";
        parts.Add(prompt.Length > 60 ? "\"" + prompt.Substring(0, 57) + "...\"" : "\"" + prompt + "\"");
        return string.Join(", ", parts);
    }
}
