using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;
using Hailuo.Models;
using Hailuo.Providers;
using Hailuo.Transport;

namespace Hailuo.Validation;

/// <summary>
/// Checks a request before anything is sent or paid for, against the model's rules and what the chosen
/// provider supports. Reads local image headers, never the network.
/// </summary>
public static class RequestValidator
{
    public const int MinImageSide = 300;

    private static readonly string[] DataUriImageTypes = { "image/jpeg", "image/jpg", "image/png", "image/webp" };

    // Requiring "scheme://" tells a URL from a local path: Uri alone also takes C:\x.png, and /x.png on Unix, as file URIs.
    private static readonly Regex UrlScheme = new("^[A-Za-z][A-Za-z0-9+.-]+://", RegexOptions.CultureInvariant);

    /// <summary>Every problem with the request on <paramref name="provider"/>; an empty list means it may be sent.</summary>
    /// <param name="request">What would be sent.</param>
    /// <param name="provider">Where it would be sent.</param>
    /// <param name="localProvider">
    /// The provider is on this computer (the emulator): its servers may fetch a first frame from this computer or a
    /// private network. A real provider must never be sent to them, where its fetch would reach the provider's own
    /// network (169.254.169.254 is a cloud's metadata service).
    /// </param>
    public static IReadOnlyList<HailuoError> Validate(VideoRequest request, HailuoProvider provider, bool localProvider = false)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }
        var errors = new List<HailuoError>();
        CheckPrompt(request.Prompt, errors);
        CheckDurationAndResolution(request, errors);
        CheckModel(request, provider, errors);
        CheckFastPretreatment(request, provider, errors);
        CheckCallbackUrl(request.CallbackUrl, errors);
        CheckFirstFrameImage(request.FirstFrameImage, localProvider, errors);
        return errors;
    }

    /// <summary>
    /// Throws a <see cref="HailuoException"/> carrying the first problem's kind and code, with every problem in
    /// its message, one per line.
    /// </summary>
    public static void ThrowIfInvalid(VideoRequest request, HailuoProvider provider, bool localProvider = false)
    {
        var errors = Validate(request, provider, localProvider);
        if (errors.Count == 0)
        {
            return;
        }
        var first = errors[0];
        throw new HailuoException(errors.Count == 1
            ? first
            : new HailuoError(first.Kind, string.Join(Environment.NewLine, errors.Select(e => e.Message)), first.Code));
    }

    /// <summary>How messages name a local image: by its full path, so the user can find it.</summary>
    internal static string FileSubject(string fullPath) => $"FirstFrameImage '{fullPath}'";

    internal static string TooLargeMessage(string subject, long length) =>
        $"{subject} is {Count(length)} bytes; the limit is 20 MB ({Count(ImageSource.MaxImageBytes)} bytes): resize or recompress it.";

    internal static string NotAnImageMessage(string subject) =>
        $"{subject} does not hold a JPG, PNG or WebP image (judged by its content, not its name or declared type); convert it to one of those.";

    private static void CheckPrompt(string? prompt, List<HailuoError> errors)
    {
        const string field = nameof(VideoRequest.Prompt);
        if (prompt is null || prompt.Trim().Length == 0)
        {
            errors.Add(Problem(field, $"{field} is {(prompt is null ? "missing" : "empty")}; describe the video to generate, in at most {Count(VideoRequest.MaxPromptLength)} characters."));
        }
        else if (prompt.Length > VideoRequest.MaxPromptLength)
        {
            errors.Add(Problem(field, $"{field} is {Count(prompt.Length)} characters; shorten it to at most {Count(VideoRequest.MaxPromptLength)}."));
        }
        else if (BrokenCharacter(prompt) is { } at)
        {
            // Sent as it is, the half would reach the provider as U+FFFD: a different prompt, paid for.
            errors.Add(Problem(field, $"{field} has a broken character at position {Count(at + 1)} (U+{(int)prompt[at]:X4}, half of a character that takes two): the text was damaged before it got here. Save the CSV as UTF-8 and import it again, or retype that character."));
        }
        else if (!prompt.Any(IsVisible))
        {
            errors.Add(Problem(field, $"{field} has no visible characters, only spaces, control characters or invisible marks (zero-width spaces, direction marks); describe the video to generate in words."));
        }
    }

    /// <summary>The index of the first UTF-16 surrogate that is not half of a pair, or null.</summary>
    private static int? BrokenCharacter(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return i;
            }
        }
        return null;
    }

    private static bool IsVisible(char c) =>
        !char.IsWhiteSpace(c) && !char.IsControl(c) && CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.Format;

    private static void CheckDurationAndResolution(VideoRequest request, List<HailuoError> errors)
    {
        var durationValid = request.EffectiveDuration is 6 or 10;
        if (!durationValid)
        {
            errors.Add(Problem(nameof(VideoRequest.Duration), $"Duration is {request.EffectiveDuration} seconds; use 6 or 10."));
        }
        var resolution = request.EffectiveResolution;
        if (resolution is null)
        {
            errors.Add(Problem(nameof(VideoRequest.Resolution), $"Resolution '{request.Resolution}' is not available; use {VideoRequest.Resolution768} or {VideoRequest.Resolution1080}."));
        }
        else if (resolution == VideoRequest.Resolution1080 && request.EffectiveDuration == 10)
        {
            errors.Add(Problem(nameof(VideoRequest.Duration), $"10-second videos are only available at {VideoRequest.Resolution768}: use a Duration of 6, or a Resolution of {VideoRequest.Resolution768}."));
        }
    }

    private static void CheckModel(VideoRequest request, HailuoProvider provider, List<HailuoError> errors)
    {
        const string field = nameof(VideoRequest.Model);
        var model = request.EffectiveModel;
        if (model is null)
        {
            errors.Add(Problem(field, $"Model '{request.Model}' is not a Hailuo 2.3 model; use one of: {string.Join(", ", HailuoModels.All)}."));
            return;
        }
        if (model == HailuoModels.Fast && string.IsNullOrEmpty(request.FirstFrameImage))
        {
            errors.Add(Problem(nameof(VideoRequest.FirstFrameImage), $"Model {HailuoModels.Fast} is image-to-video only: give a FirstFrameImage, or use Model {HailuoModels.Standard}."));
        }
        var profile = ProviderProfiles.For(provider);
        if (!profile.Models.Contains(model))
        {
            errors.Add(Problem(field, $"Model {model} is not served by {profile.DisplayName}, which only has {string.Join(" and ", profile.Models)}: use Model {profile.Models[0]}, or the provider {ProviderProfiles.DisplayNames(p => p.Models.Contains(model), "or")}."));
        }
    }

    private static void CheckFastPretreatment(VideoRequest request, HailuoProvider provider, List<HailuoError> errors)
    {
        var profile = ProviderProfiles.For(provider);
        if (request.FastPretreatment is not null && !profile.AcceptsFastPretreatment)
        {
            errors.Add(Problem(nameof(VideoRequest.FastPretreatment), $"FastPretreatment is not available on {profile.DisplayName}; leave it out, or use the provider {ProviderProfiles.DisplayNames(p => p.AcceptsFastPretreatment, "or")}."));
        }
    }

    private static void CheckCallbackUrl(string? callbackUrl, List<HailuoError> errors)
    {
        if (!string.IsNullOrEmpty(callbackUrl))
        {
            CheckWebAddress(callbackUrl!, nameof(VideoRequest.CallbackUrl), "an absolute https URL", errors);
        }
    }

    private static void CheckFirstFrameImage(string? image, bool localProvider, List<HailuoError> errors)
    {
        if (string.IsNullOrEmpty(image))
        {
            return;
        }
        if (image!.Trim().Length == 0)
        {
            errors.Add(Problem(nameof(VideoRequest.FirstFrameImage), "FirstFrameImage is blank; give a local JPG, PNG or WebP file, an https URL or a data URI, or leave it out."));
        }
        else if (image.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            CheckDataUri(image, errors);
        }
        else if (UrlScheme.IsMatch(image))
        {
            const string field = nameof(VideoRequest.FirstFrameImage);
            var before = errors.Count;
            CheckWebAddress(image, field, "an https URL, a data:image/...;base64 URI or a local file path", errors);
            if (errors.Count == before && !localProvider && Uri.TryCreate(image, UriKind.Absolute, out var uri) && NetworkAddress.IsPrivateOrLocal(uri))
            {
                errors.Add(Problem(field, $"{field} '{image}' names this computer or a private network ({uri.Host}); the provider's servers fetch the image, "
                    + "and must not be sent there. Give a public https URL, or the file itself (a local path is uploaded or sent inline)."));
            }
        }
        else
        {
            CheckLocalImage(image, errors);
        }
    }

    /// <summary>https anywhere; http only to this computer, where nothing can be intercepted on the way.</summary>
    private static void CheckWebAddress(string value, string field, string expected, List<HailuoError> errors)
    {
        if (!UrlScheme.IsMatch(value) || !Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            errors.Add(Problem(field, $"{field} '{value}' is not an absolute URL; give {expected}, such as https://example.com/..."));
        }
        else if (uri.Scheme == Uri.UriSchemeHttp && !NetworkAddress.IsLoopback(uri))
        {
            errors.Add(Problem(field, $"{field} '{value}' uses http, which is only allowed for this computer (localhost, 127.0.0.1, ::1); change it to https://."));
        }
        else if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            errors.Add(Problem(field, $"{field} '{value}' uses the {uri.Scheme} scheme, which is not accepted; give {expected}."));
        }
    }

    private static void CheckDataUri(string uri, List<HailuoError> errors)
    {
        const string subject = "FirstFrameImage (data URI)";
        var comma = uri.IndexOf(',');
        var header = comma < 0 ? uri.Substring("data:".Length) : uri.Substring("data:".Length, comma - "data:".Length);
        const string base64Suffix = ";base64";
        if (comma < 0 || !header.EndsWith(base64Suffix, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(Problem(nameof(VideoRequest.FirstFrameImage), $"{subject} must be base64-encoded and start with data:image/png;base64, (or image/jpeg, image/webp), not 'data:{Shorten(header)},'."));
            return;
        }
        var mediaType = header.Substring(0, header.Length - base64Suffix.Length);
        if (!DataUriImageTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add(Problem(nameof(VideoRequest.FirstFrameImage), $"{subject} has the type '{Shorten(mediaType)}'; only image/jpeg, image/png and image/webp are accepted: convert the image to one of those."));
            return;
        }
        if (!Base64Payload.TryMeasure(uri, comma + 1, out var decodedLength))
        {
            errors.Add(Problem(nameof(VideoRequest.FirstFrameImage), $"{subject} is not valid base64 after the comma; encode the image again (for example with [Convert]::ToBase64String)."));
            return;
        }
        if (decodedLength > ImageSource.MaxImageBytes)
        {
            errors.Add(Problem(nameof(VideoRequest.FirstFrameImage), TooLargeMessage(subject, decodedLength)));
            return;
        }
        CheckImageContent(Base64Payload.DecodeHead(uri, comma + 1, ImageProbe.HeadLength), subject, requireDimensions: false, errors);
    }

    private static void CheckLocalImage(string path, List<HailuoError> errors)
    {
        var subject = FileSubject(path);
        try
        {
            using var file = ImageSource.OpenRead(path, useAsync: false);
            subject = FileSubject(file.Name);
            if (file.Length > ImageSource.MaxImageBytes)
            {
                errors.Add(Problem(nameof(VideoRequest.FirstFrameImage), TooLargeMessage(subject, file.Length)));
            }
            var magic = new byte[16];
            var magicLength = file.Read(magic, 0, magic.Length);
            file.Position = 0;
            var mediaType = ImageProbe.DetectMediaType(magic.AsSpan(0, magicLength));
            CheckImageContent(mediaType, mediaType is null ? null : ImageProbe.Probe(file), subject, requireDimensions: true, errors);
        }
        catch (HailuoException ex)
        {
            errors.Add(ex.Error);
        }
        catch (System.IO.IOException ex)
        {
            errors.Add(Problem(nameof(VideoRequest.FirstFrameImage), $"{subject} could not be read: {ex.Message} Check the file, then submit again."));
        }
    }

    private static void CheckImageContent(ReadOnlySpan<byte> head, string subject, bool requireDimensions, List<HailuoError> errors) =>
        CheckImageContent(ImageProbe.DetectMediaType(head), ImageProbe.Probe(head), subject, requireDimensions, errors);

    /// <summary>The type comes from the magic number; the size rules apply wherever the header gives a size.</summary>
    private static void CheckImageContent(string? mediaType, ImageInfo? info, string subject, bool requireDimensions, List<HailuoError> errors)
    {
        const string field = nameof(VideoRequest.FirstFrameImage);
        if (mediaType is null)
        {
            errors.Add(Problem(field, NotAnImageMessage(subject)));
            return;
        }
        if (info is null)
        {
            if (requireDimensions)
            {
                errors.Add(Problem(field, $"{subject} starts like a {FormatName(mediaType)} but its header is cut short or corrupt, so its size cannot be read; open and save it again, or use another image."));
            }
            return;
        }
        var size = $"{info.Width}x{info.Height} pixels";
        if (Math.Min(info.Width, info.Height) < MinImageSide)
        {
            errors.Add(Problem(field, $"{subject} is {size}; its shorter side must be at least {MinImageSide} pixels: use a larger image."));
        }
        // 2:5 <= width/height <= 5:2, compared in integers so the bounds themselves pass.
        long width = info.Width, height = info.Height;
        if (5 * width < 2 * height || 2 * width > 5 * height)
        {
            var ratio = ((double)width / height).ToString("0.##", CultureInfo.InvariantCulture);
            errors.Add(Problem(field, $"{subject} is {size}, an aspect ratio (width/height) of {ratio}; it must be between 2:5 (0.4) and 5:2 (2.5): crop it."));
        }
    }

    private static HailuoError Problem(string field, string message) => new(HailuoErrorKind.Validation, message, code: field);

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Shorten(string text) => ShortText.Cut(text, 40);

    private static string FormatName(string mediaType) => mediaType switch
    {
        ImageProbe.Jpeg => "JPG",
        ImageProbe.Png => "PNG",
        _ => "WebP",
    };
}
