using Hailuo.Models;
using Hailuo.Providers;
using Hailuo.Tests.Emulator;
using Hailuo.Validation;

namespace Hailuo.Tests.Engine.Validation;

public sealed class RequestValidatorTests : IDisposable
{
    private const int MaxImageBytes = 20 * 1024 * 1024;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<HailuoProvider> AllProviders => new(ProviderProfiles.All.Select(profile => profile.Provider));

    // ---- valid requests ----

    [Theory]
    [MemberData(nameof(AllProviders))]
    public void A_text_to_video_request_with_defaults_is_valid_on_every_provider(HailuoProvider provider)
    {
        Assert.Empty(RequestValidator.Validate(new VideoRequest { Prompt = "A red fox runs through snow" }, provider));
    }

    [Theory]
    [MemberData(nameof(AllProviders))]
    public void A_request_using_every_supported_field_is_valid_on_every_provider(HailuoProvider provider)
    {
        var image = _temp.Write("frame.png", TestImages.Png(400, 600));
        var request = new VideoRequest
        {
            Prompt = new string('a', VideoRequest.MaxPromptLength),
            FirstFrameImage = image,
            Duration = 6,
            Resolution = "1080P",
            PromptOptimizer = false,
            FastPretreatment = provider is HailuoProvider.MiniMax or HailuoProvider.Cloudflare ? true : null,
            CallbackUrl = "https://hooks.example.com/hailuo?id=1",
            Model = provider == HailuoProvider.Cloudflare ? "hailuo-2.3" : "MiniMax-Hailuo-2.3-Fast",
        };

        Assert.Empty(RequestValidator.Validate(request, provider));
    }

    [Theory]
    [InlineData(10, "768p")]
    [InlineData(10, "768")]
    [InlineData(6, "1080p")]
    [InlineData(null, null)]
    public void Valid_duration_and_resolution_pairs_pass(int? duration, string? resolution)
    {
        var request = new VideoRequest { Prompt = "x", Duration = duration, Resolution = resolution };

        Assert.Empty(RequestValidator.Validate(request, HailuoProvider.CoreToday));
    }

    // ---- prompt ----

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("", "empty")]
    [InlineData("  \t\n ", "empty")]
    public void A_missing_or_blank_prompt_is_refused(string? prompt, string word)
    {
        var error = SingleError(new VideoRequest { Prompt = prompt }, HailuoProvider.CoreToday, "Prompt");

        Assert.Contains($"Prompt is {word}", error.Message);
        Assert.Contains("describe the video", error.Message);
    }

    [Fact]
    public void A_prompt_over_2000_characters_is_refused_with_its_length()
    {
        var error = SingleError(new VideoRequest { Prompt = new string('p', 2013) }, HailuoProvider.MiniMax, "Prompt");

        Assert.Equal("Prompt is 2,013 characters; shorten it to at most 2,000.", error.Message);
    }

    // ---- duration and resolution ----

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(-6)]
    public void A_duration_other_than_6_or_10_is_refused(int duration)
    {
        var error = SingleError(new VideoRequest { Prompt = "x", Duration = duration }, HailuoProvider.Replicate, "Duration");

        Assert.Equal($"Duration is {duration} seconds; use 6 or 10.", error.Message);
    }

    [Theory]
    [InlineData("720p")]
    [InlineData("4k")]
    [InlineData("768px")]
    public void A_resolution_other_than_768p_or_1080p_is_refused(string resolution)
    {
        var error = SingleError(new VideoRequest { Prompt = "x", Resolution = resolution }, HailuoProvider.Cloudflare, "Resolution");

        Assert.Equal($"Resolution '{resolution}' is not available; use 768p or 1080p.", error.Message);
    }

    [Fact]
    public void Ten_seconds_at_1080p_is_refused()
    {
        var error = SingleError(new VideoRequest { Prompt = "x", Duration = 10, Resolution = "1080p" }, HailuoProvider.CoreToday, "Duration");

        Assert.Equal("10-second videos are only available at 768p: use a Duration of 6, or a Resolution of 768p.", error.Message);
    }

    // ---- model ----

    [Fact]
    public void An_unknown_model_is_refused_with_the_valid_ones_listed()
    {
        var error = SingleError(new VideoRequest { Prompt = "x", Model = "hailuo-02" }, HailuoProvider.CoreToday, "Model");

        Assert.Equal("Model 'hailuo-02' is not a Hailuo 2.3 model; use one of: hailuo-2.3, hailuo-2.3-fast.", error.Message);
    }

    [Theory]
    [InlineData(HailuoProvider.CoreToday)]
    [InlineData(HailuoProvider.Replicate)]
    [InlineData(HailuoProvider.MiniMax)]
    public void The_fast_model_without_a_first_frame_is_refused(HailuoProvider provider)
    {
        var error = SingleError(new VideoRequest { Prompt = "x", Model = HailuoModels.Fast }, provider, "FirstFrameImage");

        Assert.Equal("Model hailuo-2.3-fast is image-to-video only: give a FirstFrameImage, or use Model hailuo-2.3.", error.Message);
    }

    [Fact]
    public void The_fast_model_on_cloudflare_is_refused()
    {
        var request = new VideoRequest { Prompt = "x", Model = HailuoModels.Fast, FirstFrameImage = "https://example.com/a.png" };

        var error = SingleError(request, HailuoProvider.Cloudflare, "Model");

        Assert.Equal("Model hailuo-2.3-fast is not served by Cloudflare Workers AI, which only has hailuo-2.3: use Model hailuo-2.3, or the provider core.today, Replicate or MiniMax.", error.Message);
    }

    // ---- provider fields ----

    [Theory]
    [InlineData(HailuoProvider.CoreToday, true)]
    [InlineData(HailuoProvider.Replicate, false)]
    public void Fast_pretreatment_is_refused_where_the_provider_lacks_it(HailuoProvider provider, bool value)
    {
        var error = SingleError(new VideoRequest { Prompt = "x", FastPretreatment = value }, provider, "FastPretreatment");

        var name = provider == HailuoProvider.CoreToday ? "core.today" : "Replicate";
        Assert.Equal($"FastPretreatment is not available on {name}; leave it out, or use the provider Cloudflare Workers AI or MiniMax.", error.Message);
    }

    [Theory]
    [MemberData(nameof(AllProviders))]
    public void Loopback_http_callbacks_are_allowed_on_every_provider(HailuoProvider provider)
    {
        foreach (var url in new[] { "http://localhost:8080/cb", "http://127.0.0.1/cb", "http://127.9.8.7:1/cb", "http://[::1]:5000/cb", "https://example.com/cb" })
        {
            Assert.Empty(RequestValidator.Validate(new VideoRequest { Prompt = "x", CallbackUrl = url }, provider));
        }
    }

    [Fact]
    public void A_plain_http_callback_to_another_host_is_refused()
    {
        var error = SingleError(new VideoRequest { Prompt = "x", CallbackUrl = "http://hooks.example.com/cb" }, HailuoProvider.MiniMax, "CallbackUrl");

        Assert.Equal("CallbackUrl 'http://hooks.example.com/cb' uses http, which is only allowed for this computer (localhost, 127.0.0.1, ::1); change it to https://.", error.Message);
    }

    [Theory]
    [InlineData("/hooks/hailuo")]
    [InlineData("hooks.example.com/cb")]
    [InlineData("   ")]
    public void A_callback_that_is_not_an_absolute_url_is_refused(string url)
    {
        var error = SingleError(new VideoRequest { Prompt = "x", CallbackUrl = url }, HailuoProvider.Replicate, "CallbackUrl");

        Assert.Contains($"CallbackUrl '{url}' is not an absolute URL; give an absolute https URL", error.Message);
    }

    [Fact]
    public void A_callback_with_another_scheme_is_refused()
    {
        var error = SingleError(new VideoRequest { Prompt = "x", CallbackUrl = "ftp://example.com/cb" }, HailuoProvider.CoreToday, "CallbackUrl");

        Assert.Equal("CallbackUrl 'ftp://example.com/cb' uses the ftp scheme, which is not accepted; give an absolute https URL.", error.Message);
    }

    // ---- first frame: URLs ----

    [Theory]
    [InlineData("https://cdn.example.com/frame.jpg", false)]
    [InlineData("http://localhost:5080/uploads/1.png", true)]
    [InlineData("http://127.0.0.1/frame.webp", true)]
    public void Https_image_urls_are_accepted_and_loopback_ones_for_a_provider_on_this_computer(string url, bool localProvider)
    {
        Assert.Empty(RequestValidator.Validate(new VideoRequest { Prompt = "x", FirstFrameImage = url }, HailuoProvider.Replicate, localProvider));
    }

    [Fact]
    public void A_plain_http_image_url_to_another_host_is_refused()
    {
        var error = SingleError(new VideoRequest { Prompt = "x", FirstFrameImage = "http://cdn.example.com/a.png" }, HailuoProvider.CoreToday, "FirstFrameImage");

        Assert.Contains("FirstFrameImage 'http://cdn.example.com/a.png' uses http", error.Message);
        Assert.Contains("change it to https://", error.Message);
    }

    [Theory]
    [InlineData("ftp://example.com/a.png", "ftp")]
    [InlineData("file:///tmp/a.png", "file")]
    public void Image_urls_with_other_schemes_are_refused(string url, string scheme)
    {
        var error = SingleError(new VideoRequest { Prompt = "x", FirstFrameImage = url }, HailuoProvider.MiniMax, "FirstFrameImage");

        Assert.Equal($"FirstFrameImage '{url}' uses the {scheme} scheme, which is not accepted; give an https URL, a data:image/...;base64 URI or a local file path.", error.Message);
    }

    // ---- first frame: data URIs ----

    [Theory]
    [InlineData("image/png", "png")]
    [InlineData("image/jpeg", "jpeg")]
    [InlineData("image/jpg", "jpeg")]
    [InlineData("IMAGE/WEBP", "webp-vp8")]
    [InlineData("image/webp", "webp-vp8l")]
    [InlineData("image/webp", "webp-vp8x")]
    public void Data_uris_of_accepted_images_pass(string mediaType, string format)
    {
        var uri = TestImages.DataUri(ImageProbeTests.Build(format, 640, 480), mediaType);

        Assert.Empty(RequestValidator.Validate(new VideoRequest { Prompt = "x", FirstFrameImage = uri }, HailuoProvider.CoreToday));
    }

    [Fact]
    public void A_data_uri_with_line_breaks_in_its_base64_passes()
    {
        var base64 = Convert.ToBase64String(TestImages.Png(400, 400), Base64FormattingOptions.InsertLineBreaks);
        Assert.Contains('\n', base64);

        Assert.Empty(RequestValidator.Validate(new VideoRequest { Prompt = "x", FirstFrameImage = "data:image/png;base64," + base64 }, HailuoProvider.MiniMax));
    }

    [Theory]
    [InlineData("data:image/gif;base64,R0lGODlh", "has the type 'image/gif'; only image/jpeg, image/png and image/webp are accepted")]
    [InlineData("data:image/png,rawbytes", "must be base64-encoded and start with data:image/png;base64,")]
    [InlineData("data:image/png;base64", "must be base64-encoded and start with data:image/png;base64,")]
    [InlineData("data:image/png;base64,iVBOR*w0K", "is not valid base64")]
    [InlineData("data:image/png;base64,iVBORw0", "is not valid base64")]
    [InlineData("data:image/png;base64,iV=BORw0", "is not valid base64")]
    public void Malformed_data_uris_are_refused(string uri, string expected)
    {
        var error = SingleError(new VideoRequest { Prompt = "x", FirstFrameImage = uri }, HailuoProvider.CoreToday, "FirstFrameImage");

        Assert.StartsWith("FirstFrameImage (data URI) ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_data_uri_whose_content_is_not_an_accepted_image_is_refused()
    {
        var uri = TestImages.DataUri(TestImageHeaders.Gif(640, 480), "image/png");

        var error = SingleError(new VideoRequest { Prompt = "x", FirstFrameImage = uri }, HailuoProvider.CoreToday, "FirstFrameImage");

        Assert.Equal("FirstFrameImage (data URI) does not hold a JPG, PNG or WebP image (judged by its content, not its name or declared type); convert it to one of those.", error.Message);
    }

    [Fact]
    public void A_data_uri_over_20_MB_is_refused()
    {
        var bytes = new byte[MaxImageBytes + 1];
        TestImages.Png(400, 400).CopyTo(bytes, 0);

        var error = SingleError(new VideoRequest { Prompt = "x", FirstFrameImage = TestImages.DataUri(bytes) }, HailuoProvider.CoreToday, "FirstFrameImage");

        Assert.Equal("FirstFrameImage (data URI) is 20,971,521 bytes; the limit is 20 MB (20,971,520 bytes): resize or recompress it.", error.Message);
    }

    [Fact]
    public void A_data_uri_of_exactly_20_MB_is_accepted()
    {
        var bytes = new byte[MaxImageBytes];
        TestImages.Png(400, 400).CopyTo(bytes, 0);

        Assert.Empty(RequestValidator.Validate(new VideoRequest { Prompt = "x", FirstFrameImage = TestImages.DataUri(bytes) }, HailuoProvider.CoreToday));
    }

    [Theory]
    [InlineData(299, 400, "is 299x400 pixels; its shorter side must be at least 300 pixels")]
    [InlineData(1000, 300, "is 1000x300 pixels, an aspect ratio (width/height) of 3.33; it must be between 2:5 (0.4) and 5:2 (2.5): crop it.")]
    public void Data_uris_get_the_size_rules_when_the_header_gives_a_size(int width, int height, string expected)
    {
        var uri = TestImages.DataUri(TestImageHeaders.WebPLossless(width, height), "image/webp");

        var error = SingleError(new VideoRequest { Prompt = "x", FirstFrameImage = uri }, HailuoProvider.MiniMax, "FirstFrameImage");

        Assert.StartsWith("FirstFrameImage (data URI) " + expected, error.Message);
    }

    // ---- first frame: local files ----

    [Fact]
    public void A_missing_file_is_refused_with_its_full_path()
    {
        var missing = Path.Combine(_temp.Path, "nope", "frame.png");

        var error = SingleError(new VideoRequest { Prompt = "x", FirstFrameImage = missing }, HailuoProvider.CoreToday, "FirstFrameImage");

        Assert.Equal($"FirstFrameImage '{missing}' does not exist; check the path, or give an https URL or a data URI instead.", error.Message);
    }

    [Fact]
    public void A_relative_missing_path_is_reported_as_a_full_path()
    {
        var relative = Path.Combine("no-such-folder-" + Guid.NewGuid().ToString("N"), "frame.png");

        var error = SingleError(new VideoRequest { Prompt = "x", FirstFrameImage = relative }, HailuoProvider.CoreToday, "FirstFrameImage");

        Assert.Contains($"'{Path.GetFullPath(relative)}' does not exist", error.Message);
    }

    [Fact]
    public void A_folder_is_refused()
    {
        var error = SingleError(new VideoRequest { Prompt = "x", FirstFrameImage = _temp.Path }, HailuoProvider.CoreToday, "FirstFrameImage");

        Assert.Equal($"FirstFrameImage '{_temp.Path}' is a folder, not a file; give the path of a JPG, PNG or WebP image inside it.", error.Message);
    }

    [Fact]
    public void A_gif_named_png_is_refused_by_its_content()
    {
        var path = _temp.Write("frame.png", TestImageHeaders.Gif(640, 480));

        var error = SingleError(new VideoRequest { Prompt = "x", FirstFrameImage = path }, HailuoProvider.CoreToday, "FirstFrameImage");

        Assert.Equal($"FirstFrameImage '{path}' does not hold a JPG, PNG or WebP image (judged by its content, not its name or declared type); convert it to one of those.", error.Message);
    }

    [Fact]
    public void A_real_png_named_jpg_is_accepted_by_its_content()
    {
        var path = _temp.Write("frame.jpg", TestImages.Png(500, 500));

        Assert.Empty(RequestValidator.Validate(new VideoRequest { Prompt = "x", FirstFrameImage = path }, HailuoProvider.CoreToday));
    }

    [Fact]
    public void An_image_299_pixels_wide_is_refused()
    {
        var path = _temp.Write("small.png", TestImages.Png(299, 400));

        var error = SingleError(new VideoRequest { Prompt = "x", FirstFrameImage = path }, HailuoProvider.CoreToday, "FirstFrameImage");

        Assert.Equal($"FirstFrameImage '{path}' is 299x400 pixels; its shorter side must be at least 300 pixels: use a larger image.", error.Message);
    }

    [Fact]
    public void An_image_wider_than_5_to_2_is_refused()
    {
        var path = _temp.Write("wide.png", TestImages.Png(1000, 300));

        var error = SingleError(new VideoRequest { Prompt = "x", FirstFrameImage = path }, HailuoProvider.CoreToday, "FirstFrameImage");

        Assert.Equal($"FirstFrameImage '{path}' is 1000x300 pixels, an aspect ratio (width/height) of 3.33; it must be between 2:5 (0.4) and 5:2 (2.5): crop it.", error.Message);
    }

    [Theory]
    [InlineData(400, 1000)]
    [InlineData(1000, 400)]
    [InlineData(300, 300)]
    public void Images_at_the_size_limits_are_accepted(int width, int height)
    {
        var path = _temp.Write($"edge-{width}x{height}.png", TestImages.Png(width, height));

        Assert.Empty(RequestValidator.Validate(new VideoRequest { Prompt = "x", FirstFrameImage = path }, HailuoProvider.CoreToday));
    }

    [Fact]
    public void An_image_taller_than_2_to_5_is_refused()
    {
        var path = _temp.Write("tall.webp", TestImageHeaders.WebPExtended(400, 1001));

        var error = SingleError(new VideoRequest { Prompt = "x", FirstFrameImage = path }, HailuoProvider.CoreToday, "FirstFrameImage");

        Assert.Contains("is 400x1001 pixels, an aspect ratio (width/height) of 0.4;", error.Message);
    }

    [Fact]
    public void A_file_of_20_MB_and_one_byte_is_refused()
    {
        var path = _temp.WriteSized("huge.png", TestImages.Png(400, 400), MaxImageBytes + 1L);

        var error = SingleError(new VideoRequest { Prompt = "x", FirstFrameImage = path }, HailuoProvider.CoreToday, "FirstFrameImage");

        Assert.Equal($"FirstFrameImage '{path}' is 20,971,521 bytes; the limit is 20 MB (20,971,520 bytes): resize or recompress it.", error.Message);
    }

    [Fact]
    public void A_file_of_exactly_20_MB_is_accepted()
    {
        var path = _temp.WriteSized("limit.png", TestImages.Png(400, 400), MaxImageBytes);

        Assert.Empty(RequestValidator.Validate(new VideoRequest { Prompt = "x", FirstFrameImage = path }, HailuoProvider.CoreToday));
    }

    [Fact]
    public void A_local_jpeg_whose_frame_header_is_past_64_KB_is_measured()
    {
        var path = _temp.Write("late.jpg", TestImageHeaders.Jpeg(280, 600, paddingSegments: 2));

        var error = SingleError(new VideoRequest { Prompt = "x", FirstFrameImage = path }, HailuoProvider.CoreToday, "FirstFrameImage");

        Assert.Contains("is 280x600 pixels; its shorter side must be at least 300 pixels", error.Message);
    }

    [Theory]
    [InlineData("png", 20)]
    [InlineData("jpeg", 25)]
    [InlineData("webp-vp8", 25)]
    public void A_file_whose_header_is_cut_short_is_refused(string format, int keep)
    {
        var path = _temp.Write("cut." + format, ImageProbeTests.Build(format, 640, 480)[..keep]);

        var error = SingleError(new VideoRequest { Prompt = "x", FirstFrameImage = path }, HailuoProvider.CoreToday, "FirstFrameImage");

        Assert.Contains($"FirstFrameImage '{path}' starts like a ", error.Message);
        Assert.Contains("but its header is cut short or corrupt, so its size cannot be read; open and save it again, or use another image.", error.Message);
    }

    [Fact]
    public void A_blank_first_frame_is_refused()
    {
        var error = SingleError(new VideoRequest { Prompt = "x", FirstFrameImage = "   " }, HailuoProvider.CoreToday, "FirstFrameImage");

        Assert.StartsWith("FirstFrameImage is blank;", error.Message);
    }

    // ---- many problems at once ----

    [Fact]
    public void Every_problem_is_reported_and_ThrowIfInvalid_lists_them_all()
    {
        var request = new VideoRequest
        {
            Prompt = " ",
            Duration = 7,
            Resolution = "4k",
            Model = HailuoModels.Fast,
            FastPretreatment = true,
            CallbackUrl = "http://example.com/cb",
        };

        var errors = RequestValidator.Validate(request, HailuoProvider.Cloudflare);
        var exception = Assert.Throws<HailuoException>(() => RequestValidator.ThrowIfInvalid(request, HailuoProvider.Cloudflare));

        Assert.Equal(["Prompt", "Duration", "Resolution", "FirstFrameImage", "Model", "CallbackUrl"], errors.Select(e => e.Code));
        Assert.All(errors, e => Assert.Equal(HailuoErrorKind.Validation, e.Kind));
        Assert.Equal(HailuoErrorKind.Validation, exception.Error.Kind);
        Assert.Equal("Prompt", exception.Error.Code);
        Assert.Equal(errors.Select(e => e.Message), exception.Message.Split(Environment.NewLine));
    }

    [Fact]
    public void ThrowIfInvalid_passes_a_valid_request_and_throws_the_single_error_as_is()
    {
        RequestValidator.ThrowIfInvalid(new VideoRequest { Prompt = "x" }, HailuoProvider.MiniMax);

        var exception = Assert.Throws<HailuoException>(() => RequestValidator.ThrowIfInvalid(new VideoRequest { Prompt = "x", Duration = 8 }, HailuoProvider.MiniMax));
        Assert.Equal("Duration", exception.Error.Code);
        Assert.Equal("Duration is 8 seconds; use 6 or 10.", exception.Message);
    }

    private static HailuoError SingleError(VideoRequest request, HailuoProvider provider, string code)
    {
        var error = Assert.Single(RequestValidator.Validate(request, provider));
        Assert.Equal(HailuoErrorKind.Validation, error.Kind);
        Assert.Equal(code, error.Code);
        Assert.Contains(code, error.Message);
        return error;
    }

    // ---- first-frame URLs the provider's servers would fetch ----

    [Theory]
    [InlineData("https://169.254.169.254/latest/meta-data/iam")]
    [InlineData("https://2852039166/image.png")]
    [InlineData("http://127.0.0.1:8080/frame.png")]
    [InlineData("https://localhost/frame.png")]
    [InlineData("https://10.1.2.3/frame.png")]
    [InlineData("https://172.20.0.9/frame.png")]
    [InlineData("https://192.168.1.10/frame.png")]
    [InlineData("https://100.100.100.200/frame.png")]
    [InlineData("https://[::1]/frame.png")]
    [InlineData("https://[fe80::1]/frame.png")]
    [InlineData("https://[fd00::7]/frame.png")]
    [InlineData("https://[::ffff:169.254.169.254]/frame.png")]
    [InlineData("https://0.0.0.0/frame.png")]
    [InlineData("https://metadata.google.internal/computeMetadata/v1/")]
    [InlineData("https://printer.local/frame.png")]
    public void A_first_frame_on_this_computer_or_a_private_network_is_refused_for_a_real_provider(string url)
    {
        foreach (var provider in ProviderProfiles.All.Select(profile => profile.Provider))
        {
            var error = SingleError(new VideoRequest { Prompt = "x", FirstFrameImage = url }, provider, "FirstFrameImage");
            Assert.Contains("private network", error.Message);
            Assert.DoesNotContain(RequestValidator.Validate(new VideoRequest { Prompt = "x", FirstFrameImage = url }, provider, localProvider: true),
                e => e.Message.Contains("private network", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("https://example.com/frame.png")]
    [InlineData("https://8.8.8.8/frame.png")]
    [InlineData("https://replicate.delivery/xezq/frame.jpeg")]
    public void A_first_frame_on_a_public_host_is_accepted(string url) =>
        Assert.Empty(RequestValidator.Validate(new VideoRequest { Prompt = "x", FirstFrameImage = url }, HailuoProvider.CoreToday));
}
