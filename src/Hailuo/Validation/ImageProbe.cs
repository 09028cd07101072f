using System;
using System.IO;

namespace Hailuo.Validation;

/// <summary>An image's type and pixel size, as its header states them.</summary>
public sealed class ImageInfo
{
    public ImageInfo(string mediaType, int width, int height)
    {
        MediaType = mediaType;
        Width = width;
        Height = height;
    }

    /// <summary>image/jpeg, image/png or image/webp.</summary>
    public string MediaType { get; }

    public int Width { get; }

    public int Height { get; }

    public override string ToString() => $"{MediaType} {Width}x{Height}";
}

/// <summary>
/// Recognises the image types every provider accepts (JPEG, PNG, WebP) by their content and reads
/// their pixel size from the header alone, so that a 20 MB image is never decoded or loaded to check it.
/// </summary>
public static class ImageProbe
{
    public const string Jpeg = "image/jpeg";
    public const string Png = "image/png";
    public const string WebP = "image/webp";

    /// <summary>How much of a stream a probe reads first; only a JPEG whose frame header lies further on is read past it.</summary>
    public const int HeadLength = 64 * 1024;

    private static readonly byte[] PngSignature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

    private enum JpegScan
    {
        Found,
        NeedMore,
        Invalid,
    }

    /// <summary>The media type the first bytes announce (the magic number only), or null when they are not JPEG, PNG or WebP.</summary>
    public static string? DetectMediaType(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
        {
            return Jpeg;
        }
        if (head.Length >= PngSignature.Length && head.Slice(0, PngSignature.Length).SequenceEqual(PngSignature))
        {
            return Png;
        }
        if (head.Length >= 12 && IsAscii(head, 0, "RIFF") && IsAscii(head, 8, "WEBP"))
        {
            return WebP;
        }
        return null;
    }

    /// <summary>
    /// The type and size of the image whose first bytes are <paramref name="head"/>; null when they are
    /// not a JPEG, PNG or WebP, or are cut short or corrupt before the size.
    /// </summary>
    public static ImageInfo? Probe(ReadOnlySpan<byte> head)
    {
        switch (DetectMediaType(head))
        {
            case Jpeg:
                long position = 2;
                return ScanJpeg(head, 0, ref position, out var width, out var height) == JpegScan.Found
                    ? Create(Jpeg, width, height)
                    : null;
            case Png:
                return ProbePng(head);
            case WebP:
                return ProbeWebP(head);
            default:
                return null;
        }
    }

    /// <summary>
    /// Probes a stream from its current position, reading the first <see cref="HeadLength"/> bytes and,
    /// only for a JPEG whose frame header comes later, skipping from segment to segment in further chunks.
    /// </summary>
    public static ImageInfo? Probe(Stream stream)
    {
        if (stream is null)
        {
            throw new ArgumentNullException(nameof(stream));
        }
        var buffer = new byte[HeadLength];
        var filled = ReadUpTo(stream, buffer, 0, buffer.Length);
        if (DetectMediaType(buffer.AsSpan(0, filled)) != Jpeg)
        {
            return Probe(buffer.AsSpan(0, filled));
        }

        long windowStart = 0;
        long position = 2;
        while (true)
        {
            switch (ScanJpeg(buffer.AsSpan(0, filled), windowStart, ref position, out var width, out var height))
            {
                case JpegScan.Found:
                    return Create(Jpeg, width, height);
                case JpegScan.Invalid:
                    return null;
            }
            var windowEnd = windowStart + filled;
            if (filled < buffer.Length)
            {
                return null; // the stream ended before the frame header
            }
            var kept = 0;
            if (position < windowEnd)
            {
                // The next segment header straddles the window's end: keep its start.
                kept = (int)(windowEnd - position);
                Buffer.BlockCopy(buffer, buffer.Length - kept, buffer, 0, kept);
            }
            else if (!Skip(stream, position - windowEnd, buffer))
            {
                return null;
            }
            windowStart = position;
            filled = kept + ReadUpTo(stream, buffer, kept, buffer.Length - kept);
        }
    }

    /// <summary>
    /// Walks JPEG markers from <paramref name="position"/> (absolute) through a window of the file that
    /// starts at <paramref name="windowStart"/>, skipping each segment by its length until a SOFn frame header.
    /// </summary>
    private static JpegScan ScanJpeg(ReadOnlySpan<byte> window, long windowStart, ref long position, out int width, out int height)
    {
        width = 0;
        height = 0;
        while (true)
        {
            var at = position - windowStart;
            if (at + 2 > window.Length)
            {
                return JpegScan.NeedMore;
            }
            if (window[(int)at] != 0xFF)
            {
                return JpegScan.Invalid;
            }
            var marker = window[(int)at + 1];
            if (marker == 0xFF)
            {
                position++; // fill byte before a marker
                continue;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            {
                position += 2; // TEM and RSTn carry no length
                continue;
            }
            if (marker is 0x00 or 0xD8 or 0xD9 or 0xDA)
            {
                return JpegScan.Invalid; // a scan or the end came before any frame header
            }
            if (at + 4 > window.Length)
            {
                return JpegScan.NeedMore;
            }
            var length = ReadUInt16BigEndian(window.Slice((int)at + 2));
            if (length < 2)
            {
                return JpegScan.Invalid;
            }
            if (IsStartOfFrame(marker))
            {
                if (at + 9 > window.Length)
                {
                    return JpegScan.NeedMore;
                }
                height = ReadUInt16BigEndian(window.Slice((int)at + 5));
                width = ReadUInt16BigEndian(window.Slice((int)at + 7));
                return length >= 8 && width > 0 && height > 0 ? JpegScan.Found : JpegScan.Invalid;
            }
            position += 2 + length;
        }
    }

    /// <summary>SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.</summary>
    private static bool IsStartOfFrame(byte marker) =>
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;

    /// <summary>The signature is followed by the IHDR chunk: length 13, "IHDR", width, height (big-endian).</summary>
    private static ImageInfo? ProbePng(ReadOnlySpan<byte> head)
    {
        if (head.Length < 24 || ReadUInt32BigEndian(head.Slice(8)) != 13 || !IsAscii(head, 12, "IHDR"))
        {
            return null;
        }
        return Create(Png, ReadUInt32BigEndian(head.Slice(16)), ReadUInt32BigEndian(head.Slice(20)));
    }

    /// <summary>The RIFF header is followed by one of three first chunks, each with its own size layout.</summary>
    private static ImageInfo? ProbeWebP(ReadOnlySpan<byte> head)
    {
        const int payload = 20; // "RIFF", size, "WEBP", chunk type, chunk size
        if (head.Length < payload)
        {
            return null;
        }
        if (IsAscii(head, 12, "VP8 "))
        {
            // Lossy: a 3-byte frame tag (bit 0 clear on a key frame), start code 9D 01 2A, then 14-bit width and height.
            if (head.Length < payload + 10 || (head[payload] & 1) != 0
                || head[payload + 3] != 0x9D || head[payload + 4] != 0x01 || head[payload + 5] != 0x2A)
            {
                return null;
            }
            return Create(WebP, ReadUInt16LittleEndian(head.Slice(payload + 6)) & 0x3FFF, ReadUInt16LittleEndian(head.Slice(payload + 8)) & 0x3FFF);
        }
        if (IsAscii(head, 12, "VP8L"))
        {
            // Lossless: signature 2F, then width-1 and height-1 in 14 bits each, an alpha bit and a 3-bit version that must be 0.
            if (head.Length < payload + 5 || head[payload] != 0x2F)
            {
                return null;
            }
            var bits = ReadUInt32LittleEndian(head.Slice(payload + 1));
            if (bits >> 29 != 0)
            {
                return null;
            }
            return Create(WebP, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
        }
        if (IsAscii(head, 12, "VP8X"))
        {
            // Extended: flags, 3 reserved bytes, then canvas width-1 and height-1 in 24 bits each.
            if (head.Length < payload + 10)
            {
                return null;
            }
            return Create(WebP, ReadUInt24LittleEndian(head.Slice(payload + 4)) + 1, ReadUInt24LittleEndian(head.Slice(payload + 7)) + 1);
        }
        return null;
    }

    private static ImageInfo? Create(string mediaType, long width, long height) =>
        width is > 0 and <= int.MaxValue && height is > 0 and <= int.MaxValue
            ? new ImageInfo(mediaType, (int)width, (int)height)
            : null;

    private static bool IsAscii(ReadOnlySpan<byte> bytes, int offset, string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (bytes[offset + i] != text[i])
            {
                return false;
            }
        }
        return true;
    }

    private static int ReadUInt16BigEndian(ReadOnlySpan<byte> b) => (b[0] << 8) | b[1];

    private static uint ReadUInt32BigEndian(ReadOnlySpan<byte> b) => ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];

    private static int ReadUInt16LittleEndian(ReadOnlySpan<byte> b) => b[0] | (b[1] << 8);

    private static uint ReadUInt24LittleEndian(ReadOnlySpan<byte> b) => b[0] | ((uint)b[1] << 8) | ((uint)b[2] << 16);

    private static uint ReadUInt32LittleEndian(ReadOnlySpan<byte> b) => ReadUInt24LittleEndian(b) | ((uint)b[3] << 24);

    /// <summary>Reads until <paramref name="count"/> bytes or the end of the stream; returns how many were read.</summary>
    private static int ReadUpTo(Stream stream, byte[] buffer, int offset, int count)
    {
        var total = 0;
        while (total < count)
        {
            var read = stream.Read(buffer, offset + total, count - total);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }

    /// <summary>Moves past segment data without keeping it; false when the stream ends first.</summary>
    private static bool Skip(Stream stream, long count, byte[] scratch)
    {
        if (stream.CanSeek)
        {
            if (stream.Length - stream.Position < count)
            {
                return false;
            }
            stream.Seek(count, SeekOrigin.Current);
            return true;
        }
        while (count > 0)
        {
            var read = stream.Read(scratch, 0, (int)Math.Min(count, scratch.Length));
            if (read == 0)
            {
                return false;
            }
            count -= read;
        }
        return true;
    }
}
