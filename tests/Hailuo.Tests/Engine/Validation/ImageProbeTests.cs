using Hailuo.Tests.Emulator;
using Hailuo.Validation;

namespace Hailuo.Tests.Engine.Validation;

public class ImageProbeTests
{
    public static TheoryData<string, int, int, int> Headers => new()
    {
        // format, width, height, bytes the header needs
        { "png", 640, 480, 24 },
        { "jpeg", 1280, 720, TestImageHeaders.JpegFrameOffset() + 9 },
        { "webp-vp8", 1024, 576, 30 },
        { "webp-vp8l", 300, 750, 25 },
        { "webp-vp8x", 16383, 4000, 30 },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public void Reads_type_and_size_from_the_header(string format, int width, int height, int headerLength)
    {
        var bytes = Build(format, width, height);

        var info = ImageProbe.Probe(bytes);

        Assert.NotNull(info);
        Assert.Equal(format == "png" ? "image/png" : format == "jpeg" ? "image/jpeg" : "image/webp", info!.MediaType);
        Assert.Equal(width, info.Width);
        Assert.Equal(height, info.Height);
        Assert.Equal(info.ToString(), ImageProbe.Probe(bytes.AsSpan(0, headerLength))?.ToString());
    }

    [Theory]
    [MemberData(nameof(Headers))]
    public void Truncated_headers_give_null(string format, int width, int height, int headerLength)
    {
        var bytes = Build(format, width, height);

        for (var length = 0; length < headerLength; length++)
        {
            Assert.Null(ImageProbe.Probe(bytes.AsSpan(0, length)));
        }
        Assert.NotNull(ImageProbe.Probe(bytes.AsSpan(0, headerLength)));
    }

    [Fact]
    public void Reads_a_real_png_from_memory_and_from_a_stream()
    {
        var png = TestImages.Png(321, 654);

        var fromSpan = ImageProbe.Probe(png);
        var fromStream = ImageProbe.Probe(new MemoryStream(png));

        Assert.Equal("image/png 321x654", fromSpan?.ToString());
        Assert.Equal("image/png 321x654", fromStream?.ToString());
    }

    [Fact]
    public void Finds_a_jpeg_frame_header_beyond_the_first_64_KB_of_a_stream()
    {
        var jpeg = TestImageHeaders.Jpeg(800, 600, paddingSegments: 3);
        Assert.True(TestImageHeaders.JpegFrameOffset(3) > ImageProbe.HeadLength);

        Assert.Null(ImageProbe.Probe(jpeg.AsSpan(0, ImageProbe.HeadLength)));
        Assert.Equal("image/jpeg 800x600", ImageProbe.Probe(new MemoryStream(jpeg))?.ToString());
        Assert.Equal("image/jpeg 800x600", ImageProbe.Probe(new UnseekableStream(jpeg))?.ToString());
        Assert.Equal("image/jpeg 800x600", ImageProbe.Probe(jpeg)?.ToString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(9)]
    public void A_jpeg_frame_header_straddling_the_64_KB_mark_is_still_read(int bytesBeforeTheMark)
    {
        // One APP1 segment sized so that the SOF0 marker starts this many bytes before the first read ends.
        var segmentData = ImageProbe.HeadLength - bytesBeforeTheMark - TestImageHeaders.JpegFirstSegmentEnd - 4;
        var jpeg = TestImageHeaders.Jpeg(500, 400, paddingSegments: 1, segmentData);
        Assert.Equal(ImageProbe.HeadLength - bytesBeforeTheMark, TestImageHeaders.JpegFrameOffset(1, segmentData));

        Assert.Equal("image/jpeg 500x400", ImageProbe.Probe(new MemoryStream(jpeg))?.ToString());
        Assert.Equal("image/jpeg 500x400", ImageProbe.Probe(new UnseekableStream(jpeg))?.ToString());
    }

    [Fact]
    public void A_jpeg_stream_that_ends_before_its_frame_header_gives_null()
    {
        var jpeg = TestImageHeaders.Jpeg(800, 600, paddingSegments: 2);
        var cut = jpeg.AsSpan(0, TestImageHeaders.JpegFrameOffset(2) + 4).ToArray();

        Assert.Null(ImageProbe.Probe(new MemoryStream(cut)));
        Assert.Null(ImageProbe.Probe(new UnseekableStream(cut)));
    }

    [Fact]
    public void A_jpeg_whose_scan_comes_before_any_frame_header_gives_null()
    {
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 63, 0, 0xFF, 0xD9];

        Assert.Equal(ImageProbe.Jpeg, ImageProbe.DetectMediaType(jpeg));
        Assert.Null(ImageProbe.Probe(jpeg));
    }

    [Fact]
    public void Corrupt_webp_headers_give_null()
    {
        var lossy = TestImageHeaders.WebPLossy(640, 480);
        lossy[23] = 0x00; // start code 9D 01 2A broken
        var interFrame = TestImageHeaders.WebPLossy(640, 480);
        interFrame[20] |= 1; // not a key frame
        var lossless = TestImageHeaders.WebPLossless(640, 480);
        lossless[20] = 0x00; // signature 2F broken
        var unknownChunk = TestImageHeaders.WebPExtended(640, 480);
        "ALPH"u8.CopyTo(unknownChunk.AsSpan(12));

        Assert.Null(ImageProbe.Probe(lossy));
        Assert.Null(ImageProbe.Probe(interFrame));
        Assert.Null(ImageProbe.Probe(lossless));
        Assert.Null(ImageProbe.Probe(unknownChunk));
        Assert.Equal(ImageProbe.WebP, ImageProbe.DetectMediaType(unknownChunk));
    }

    [Fact]
    public void Other_formats_give_null()
    {
        Assert.Null(ImageProbe.Probe(TestImageHeaders.Gif(640, 480)));
        Assert.Null(ImageProbe.DetectMediaType(TestImageHeaders.Gif(640, 480)));
        Assert.Null(ImageProbe.Probe("<html><body>Not found</body></html>"u8));
        Assert.Null(ImageProbe.Probe(ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void A_png_with_a_zero_size_gives_null()
    {
        var png = TestImages.Png(10, 10);
        png.AsSpan(16, 4).Clear();

        Assert.Equal(ImageProbe.Png, ImageProbe.DetectMediaType(png));
        Assert.Null(ImageProbe.Probe(png));
    }

    internal static byte[] Build(string format, int width, int height) => format switch
    {
        "png" => TestImages.Png(width, height),
        "jpeg" => TestImageHeaders.Jpeg(width, height),
        "webp-vp8" => TestImageHeaders.WebPLossy(width, height),
        "webp-vp8l" => TestImageHeaders.WebPLossless(width, height),
        "webp-vp8x" => TestImageHeaders.WebPExtended(width, height),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>A stream that can only be read forwards, like a network response.</summary>
    private sealed class UnseekableStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 1000));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
