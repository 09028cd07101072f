using System.Text.Json;
using System.Text.Json.Nodes;
using Hailuo.Transport;

namespace Hailuo.Emulator.Core;

/// <summary>A refused input: which field, and a message that says what to change.</summary>
public sealed record InputProblem(string Field, string Message);

/// <summary>The field set and spelling one provider accepts.</summary>
public sealed record InputDialect(
    string ProviderLabel,
    IReadOnlySet<string> Fields,
    string Resolution768,
    string Resolution1080);

/// <summary>The input rules every provider enforces, each in its own error form.</summary>
public static class InputRules
{
    public const int MaxPromptLength = 2000;
    public const int MaxImageBytes = 20 * 1024 * 1024;

    /// <summary>
    /// Checks an input object and returns the first problem, or null. On success, <paramref name="resolution"/>
    /// and <paramref name="duration"/> hold the values the job will run with.
    /// </summary>
    public static InputProblem? Check(JsonObject input, InputDialect dialect, bool fastModel, out string resolution, out int duration)
    {
        resolution = dialect.Resolution768;
        duration = 6;
        foreach (var (name, _) in input)
        {
            if (!dialect.Fields.Contains(name))
            {
                return new InputProblem(name, $"'{name}' is not an input of Hailuo 2.3 on {dialect.ProviderLabel}. Allowed: {string.Join(", ", dialect.Fields.Order(StringComparer.Ordinal))}.");
            }
        }

        if (!TryGetString(input, "prompt", out var prompt) || string.IsNullOrWhiteSpace(prompt))
        {
            return new InputProblem("prompt", "prompt is required: describe the video to generate.");
        }
        if (prompt!.Length > MaxPromptLength)
        {
            return new InputProblem("prompt", $"prompt is {prompt.Length} characters; it may be at most {MaxPromptLength}.");
        }

        if (input["duration"] is JsonNode durationNode)
        {
            if (durationNode.GetValueKind() != JsonValueKind.Number || !durationNode.AsValue().TryGetValue<double>(out var d) || (d != 6 && d != 10))
            {
                return new InputProblem("duration", $"duration must be 6 or 10 (seconds), not {durationNode.ToJsonString()}.");
            }
            duration = (int)d;
        }

        if (input["resolution"] is JsonNode resolutionNode)
        {
            var value = resolutionNode.GetValueKind() == JsonValueKind.String ? resolutionNode.GetValue<string>() : null;
            if (value != dialect.Resolution768 && value != dialect.Resolution1080)
            {
                return new InputProblem("resolution", $"resolution must be '{dialect.Resolution768}' or '{dialect.Resolution1080}' on {dialect.ProviderLabel}, not {resolutionNode.ToJsonString()}.");
            }
            resolution = value!;
        }

        if (resolution == dialect.Resolution1080 && duration == 10)
        {
            return new InputProblem("duration", $"10-second videos are only available at {dialect.Resolution768}; use duration 6 for {dialect.Resolution1080}.");
        }

        foreach (var flag in new[] { "prompt_optimizer", "fast_pretreatment" })
        {
            if (input[flag] is JsonNode node && node.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return new InputProblem(flag, $"{flag} must be true or false, not {node.ToJsonString()}.");
            }
        }

        var hasImage = input["first_frame_image"] is not null;
        if (hasImage)
        {
            var imageProblem = CheckImage(input["first_frame_image"]);
            if (imageProblem is not null)
            {
                return imageProblem;
            }
        }
        else if (fastModel)
        {
            return new InputProblem("first_frame_image", "The Fast model is image-to-video only: give first_frame_image, or use the standard model.");
        }

        if (input["callback_url"] is JsonNode callback && (callback.GetValueKind() != JsonValueKind.String || !Uri.TryCreate(callback.GetValue<string>(), UriKind.Absolute, out _)))
        {
            return new InputProblem("callback_url", "callback_url must be an absolute URL.");
        }
        return null;
    }

    /// <summary>An https URL, a loopback URL (the emulator's own uploads), or a base64 data URI of a JPG, PNG or WebP up to 20 MB.</summary>
    public static InputProblem? CheckImage(JsonNode? node)
    {
        const string field = "first_frame_image";
        if (node is null || node.GetValueKind() != JsonValueKind.String)
        {
            return new InputProblem(field, "first_frame_image must be a string: an https URL or a data:image/...;base64 URI.");
        }
        var value = node.GetValue<string>();
        if (value.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = value.IndexOf(',');
            var header = comma > 0 ? value[5..comma].ToLowerInvariant() : "";
            if (comma < 0 || !header.EndsWith(";base64", StringComparison.Ordinal))
            {
                return new InputProblem(field, "first_frame_image data URIs must be base64: data:image/png;base64,....");
            }
            var mediaType = header[..^";base64".Length];
            if (mediaType is not ("image/jpeg" or "image/jpg" or "image/png" or "image/webp"))
            {
                return new InputProblem(field, $"first_frame_image must be a JPG, PNG or WebP image, not '{mediaType}'.");
            }
            var payload = value.AsSpan(comma + 1);
            if (payload.Length / 4L * 3 > MaxImageBytes + 3)
            {
                return new InputProblem(field, "first_frame_image is larger than 20 MB; send a smaller image.");
            }
            var bytes = new byte[payload.Length / 4 * 3 + 3];
            if (!Convert.TryFromBase64Chars(payload, bytes, out var length))
            {
                return new InputProblem(field, "first_frame_image is not valid base64.");
            }
            if (length > MaxImageBytes)
            {
                return new InputProblem(field, "first_frame_image is larger than 20 MB; send a smaller image.");
            }
            return ImageFormat.Detect(bytes.AsSpan(0, length)) is null
                ? new InputProblem(field, "first_frame_image does not hold a JPG, PNG or WebP image.")
                : null;
        }
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            return new InputProblem(field, "first_frame_image must be an https URL or a data:image/...;base64 URI.");
        }
        if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && NetworkAddress.IsLoopback(uri)))
        {
            return new InputProblem(field, $"first_frame_image must be an https URL, not {uri.Scheme}.");
        }
        return null;
    }

    public static bool TryGetString(JsonObject input, string name, out string? value)
    {
        value = null;
        if (input[name] is JsonNode node && node.GetValueKind() == JsonValueKind.String)
        {
            value = node.GetValue<string>();
            return true;
        }
        return false;
    }
}

/// <summary>Recognises the image types the providers accept by their first bytes.</summary>
public static class ImageFormat
{
    public static string? Detect(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
        {
            return "image/jpeg";
        }
        if (bytes.Length >= 8 && bytes[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }))
        {
            return "image/png";
        }
        if (bytes.Length >= 12 && bytes[..4].SequenceEqual("RIFF"u8) && bytes.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return "image/webp";
        }
        return null;
    }
}
