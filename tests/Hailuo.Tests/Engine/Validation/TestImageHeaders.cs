using System.Buffers.Binary;
using System.Text;

namespace Hailuo.Tests.Engine.Validation;

/// <summary>
/// Minimal, spec-conformant image headers built byte by byte: enough for a header reader, without an encoder.
/// </summary>
public static class TestImageHeaders
{
    /// <summary>The most data one JPEG segment can carry: its 16-bit length counts itself.</summary>
    public const int MaxSegmentData = ushort.MaxValue - 2;

    /// <summary>
    /// SOI, a JFIF APP0, <paramref name="paddingSegments"/> APP1 segments of <paramref name="segmentData"/> bytes each
    /// (to push the frame header late), a baseline SOF0 with the size, a SOS and EOI.
    /// </summary>
    public static byte[] Jpeg(int width, int height, int paddingSegments = 0, int segmentData = MaxSegmentData)
    {
        using var output = new MemoryStream();
        output.Write([0xFF, 0xD8]);
        WriteSegment(output, 0xE0, [.. "JFIF\0"u8, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
        for (var i = 0; i < paddingSegments; i++)
        {
            var filler = new byte[segmentData];
            new Random(i).NextBytes(filler);
            WriteSegment(output, 0xE1, filler);
        }
        var frame = new byte[6 + 3];
        frame[0] = 8; // precision
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(1), (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(3), (ushort)width);
        frame[5] = 1; // one component
        frame[6] = 1;
        frame[7] = 0x11;
        frame[8] = 0;
        WriteSegment(output, 0xC0, frame);
        WriteSegment(output, 0xDA, [1, 1, 0, 0, 63, 0]);
        output.Write([0x12, 0x34, 0xFF, 0xD9]);
        return output.ToArray();
    }

    /// <summary>Where a <see cref="Jpeg"/> image's SOF0 marker starts.</summary>
    public static int JpegFrameOffset(int paddingSegments = 0, int segmentData = MaxSegmentData) =>
        JpegFirstSegmentEnd + paddingSegments * (2 + 2 + segmentData);

    /// <summary>Where the segment after SOI and APP0 starts.</summary>
    public const int JpegFirstSegmentEnd = 2 + (2 + 2 + 14);

    /// <summary>A lossy WebP: RIFF, "VP8 " chunk, key-frame tag, start code 9D 01 2A, 14-bit width and height.</summary>
    public static byte[] WebPLossy(int width, int height)
    {
        var frame = new byte[10];
        frame[0] = 0x10; // key frame (bit 0 clear), version 0, shown
        frame[3] = 0x9D;
        frame[4] = 0x01;
        frame[5] = 0x2A;
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(6), (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(8), (ushort)height);
        return Riff("VP8 ", frame);
    }

    /// <summary>A lossless WebP: RIFF, "VP8L" chunk, signature 2F, width-1 and height-1 in 14 bits each, version 0.</summary>
    public static byte[] WebPLossless(int width, int height)
    {
        var bits = (uint)(width - 1) | ((uint)(height - 1) << 14);
        var data = new byte[5];
        data[0] = 0x2F;
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(1), bits);
        return Riff("VP8L", data);
    }

    /// <summary>An extended WebP: RIFF, "VP8X" chunk with flags, reserved bytes and 24-bit canvas width-1 and height-1.</summary>
    public static byte[] WebPExtended(int width, int height)
    {
        var data = new byte[10];
        data[0] = 0x10; // alpha flag
        WriteUInt24LittleEndian(data.AsSpan(4), width - 1);
        WriteUInt24LittleEndian(data.AsSpan(7), height - 1);
        return Riff("VP8X", data);
    }

    /// <summary>A GIF89a logical screen header: a format no provider takes.</summary>
    public static byte[] Gif(int width, int height)
    {
        var bytes = new byte[13 + 1];
        "GIF89a"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)height);
        bytes[13] = 0x3B; // trailer
        return bytes;
    }

    private static void WriteSegment(Stream output, byte marker, byte[] data)
    {
        output.Write([0xFF, marker]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)(data.Length + 2));
        output.Write(length);
        output.Write(data);
    }

    private static byte[] Riff(string chunkType, byte[] chunk)
    {
        var padded = chunk.Length + (chunk.Length & 1);
        var bytes = new byte[12 + 8 + padded];
        "RIFF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(bytes.Length - 8));
        "WEBP"u8.CopyTo(bytes.AsSpan(8));
        Encoding.ASCII.GetBytes(chunkType).CopyTo(bytes, 12);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), (uint)chunk.Length);
        chunk.CopyTo(bytes, 20);
        return bytes;
    }

    private static void WriteUInt24LittleEndian(Span<byte> target, int value)
    {
        target[0] = (byte)value;
        target[1] = (byte)(value >> 8);
        target[2] = (byte)(value >> 16);
    }
}
