using System.Security.Cryptography;
using Hailuo.Models;
using Hailuo.Tests.Emulator;
using Hailuo.Validation;

namespace Hailuo.Tests.Engine.Validation;

public sealed class ImageSourceTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_png_round_trips_through_its_data_uri()
    {
        var bytes = TestImages.Png(400, 300);
        var path = _temp.Write("frame.png", bytes);

        var uri = await ImageSource.ToDataUriAsync(path, CancellationToken.None);

        Assert.StartsWith("data:image/png;base64,", uri);
        Assert.Equal(bytes, Convert.FromBase64String(uri["data:image/png;base64,".Length..]));
        Assert.Empty(RequestValidator.Validate(new VideoRequest { Prompt = "x", FirstFrameImage = uri }, HailuoProvider.MiniMax));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_file_spanning_many_chunks_round_trips_whatever_its_length_modulo_3(int extra)
    {
        // Three padding segments make ~196 KB, several chunks; trailing zeros set the length modulo 3.
        var bytes = TestImageHeaders.Jpeg(640, 480, paddingSegments: 3).ToList();
        while (bytes.Count % 3 != extra)
        {
            bytes.Add(0);
        }
        var path = _temp.Write("frame.bin", bytes.ToArray());

        var uri = await ImageSource.ToDataUriAsync(path, CancellationToken.None);

        const string prefix = "data:image/jpeg;base64,";
        Assert.StartsWith(prefix, uri);
        Assert.Equal(Convert.ToBase64String(bytes.ToArray()), uri[prefix.Length..]);
    }

    [Theory]
    [InlineData("webp-vp8", "image/webp")]
    [InlineData("webp-vp8x", "image/webp")]
    [InlineData("png", "image/png")]
    public async Task The_data_uri_is_typed_by_content_not_by_name(string format, string mediaType)
    {
        var path = _temp.Write("frame.jpg", ImageProbeTests.Build(format, 640, 480));

        var uri = await ImageSource.ToDataUriAsync(path, CancellationToken.None);

        Assert.StartsWith($"data:{mediaType};base64,", uri);
    }

    [Fact]
    public async Task A_file_that_is_not_an_image_is_refused()
    {
        var path = _temp.Write("frame.png", TestImageHeaders.Gif(640, 480));

        var exception = await Assert.ThrowsAsync<HailuoException>(() => ImageSource.ToDataUriAsync(path, CancellationToken.None));

        Assert.Equal(HailuoErrorKind.Validation, exception.Error.Kind);
        Assert.Equal("FirstFrameImage", exception.Error.Code);
        Assert.Contains($"'{path}' does not hold a JPG, PNG or WebP image", exception.Message);
    }

    [Fact]
    public async Task A_missing_file_is_refused_with_its_full_path()
    {
        var path = Path.Combine(_temp.Path, "gone.png");

        var toDataUri = await Assert.ThrowsAsync<HailuoException>(() => ImageSource.ToDataUriAsync(path, CancellationToken.None));
        var hash = await Assert.ThrowsAsync<HailuoException>(() => ImageSource.HashAsync(path, CancellationToken.None));

        Assert.Equal(HailuoErrorKind.Validation, toDataUri.Error.Kind);
        Assert.Contains($"'{path}' does not exist", toDataUri.Message);
        Assert.Contains($"'{path}' does not exist", hash.Message);
    }

    [Fact]
    public async Task A_cancelled_token_stops_the_conversion()
    {
        var path = _temp.Write("frame.png", TestImages.Png(400, 400));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ImageSource.ToDataUriAsync(path, cancelled.Token));
    }

    [Fact]
    public async Task The_hash_is_the_lowercase_sha256_of_the_content()
    {
        var bytes = TestImageHeaders.Jpeg(640, 480, paddingSegments: 2);
        var path = _temp.Write("frame.jpg", bytes);

        var hash = await ImageSource.HashAsync(path, CancellationToken.None);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), hash);
        Assert.Matches("^[0-9a-f]{64}$", hash);
    }

    [Fact]
    public async Task Changing_one_byte_changes_the_hash()
    {
        var bytes = TestImages.Png(400, 400);
        var path = _temp.Write("frame.png", bytes);
        var before = await ImageSource.HashAsync(path, CancellationToken.None);

        bytes[^20] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        var after = await ImageSource.HashAsync(path, CancellationToken.None);

        Assert.NotEqual(before, after);
        Assert.Equal(before, await ImageSource.HashAsync(_temp.Write("copy.png", TestImages.Png(400, 400)), CancellationToken.None));
    }
}
