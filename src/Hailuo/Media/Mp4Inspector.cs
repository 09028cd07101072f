using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Hailuo.Media;

/// <summary>One ISO base media box: its four-character type, where it starts and how long it is.</summary>
public sealed class Mp4Box
{
    internal Mp4Box(string type, long offset, long size, int headerSize)
    {
        Type = type;
        Offset = offset;
        Size = size;
        HeaderSize = headerSize;
    }

    public string Type { get; }

    public long Offset { get; }

    public long Size { get; }

    public int HeaderSize { get; }

    public override string ToString() => $"{Type}@{Offset}+{Size}";
}

/// <summary>What a file's box structure says about it.</summary>
public sealed class Mp4Summary
{
    internal Mp4Summary(IReadOnlyList<Mp4Box> topLevel, int width, int height, string? majorBrand)
    {
        TopLevel = topLevel;
        Width = width;
        Height = height;
        MajorBrand = majorBrand;
    }

    public IReadOnlyList<Mp4Box> TopLevel { get; }

    /// <summary>The first video track's width in pixels, from its <c>tkhd</c>; 0 when there is none.</summary>
    public int Width { get; }

    public int Height { get; }

    public string? MajorBrand { get; }
}

/// <summary>
/// Reads an MP4's box structure without reading its media: enough to tell a real, whole video from
/// a truncated download, an HTML error page or a file of another type.
/// </summary>
public static class Mp4Inspector
{
    private static readonly HashSet<string> Containers = new(StringComparer.Ordinal) { "moov", "trak", "mdia", "minf", "stbl", "edts" };

    /// <summary>
    /// Whether the first bytes of a file look like an MP4: a box of a plausible size whose type is
    /// <c>ftyp</c> (or, for some encoders, <c>moov</c>, <c>free</c>, <c>mdat</c> or <c>wide</c>).
    /// </summary>
    public static bool LooksLikeMp4(ReadOnlySpan<byte> head)
    {
        if (head.Length < 8)
        {
            return false;
        }
        var size = ReadUInt32(head);
        var type = Encoding.ASCII.GetString(head.Slice(4, 4).ToArray());
        return (size >= 8 || size == 1) && type is "ftyp" or "moov" or "free" or "mdat" or "wide";
    }

    /// <summary>
    /// Walks the top-level boxes of a seekable stream and reads the video dimensions. Throws
    /// <see cref="InvalidDataException"/> when a box runs past the end of the stream or the
    /// required <c>ftyp</c>, <c>moov</c> and <c>mdat</c> boxes are missing.
    /// </summary>
    public static Mp4Summary Inspect(Stream stream)
    {
        if (!stream.CanSeek)
        {
            throw new ArgumentException("The stream must be seekable.", nameof(stream));
        }
        var boxes = new List<Mp4Box>();
        var length = stream.Length;
        long position = 0;
        int width = 0, height = 0;
        string? brand = null;
        while (position < length)
        {
            var box = ReadBox(stream, position, length)
                ?? throw new InvalidDataException($"The MP4 is cut short: a box header at byte {position} is incomplete.");
            boxes.Add(box);
            if (box.Type == "ftyp" && box.Size >= 12)
            {
                brand = ReadType(stream, box.Offset + box.HeaderSize);
            }
            if (box.Type == "moov" && width == 0)
            {
                (width, height) = FindDimensions(stream, box);
            }
            position += box.Size;
        }
        foreach (var required in new[] { "ftyp", "moov", "mdat" })
        {
            if (!boxes.Exists(b => b.Type == required))
            {
                throw new InvalidDataException($"The file has no '{required}' box, so it is not a complete MP4 video.");
            }
        }
        return new Mp4Summary(boxes, width, height, brand);
    }

    public static Mp4Summary Inspect(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        return Inspect(file);
    }

    private static (int Width, int Height) FindDimensions(Stream stream, Mp4Box container)
    {
        var position = container.Offset + container.HeaderSize;
        var end = container.Offset + container.Size;
        while (position < end)
        {
            var box = ReadBox(stream, position, end);
            if (box is null)
            {
                break;
            }
            if (box.Type == "tkhd")
            {
                var dims = ReadTrackHeaderDimensions(stream, box);
                if (dims.Width > 0)
                {
                    return dims;
                }
            }
            else if (Containers.Contains(box.Type))
            {
                var dims = FindDimensions(stream, box);
                if (dims.Width > 0)
                {
                    return dims;
                }
            }
            position += box.Size;
        }
        return (0, 0);
    }

    /// <summary>Width and height are the last 8 bytes of a tkhd, as 16.16 fixed point.</summary>
    private static (int Width, int Height) ReadTrackHeaderDimensions(Stream stream, Mp4Box tkhd)
    {
        if (tkhd.Size < tkhd.HeaderSize + 8)
        {
            return (0, 0);
        }
        var buffer = new byte[8];
        stream.Position = tkhd.Offset + tkhd.Size - 8;
        ReadExactly(stream, buffer);
        return ((int)(ReadUInt32(buffer) >> 16), (int)(ReadUInt32(buffer.AsSpan(4)) >> 16));
    }

    private static Mp4Box? ReadBox(Stream stream, long position, long limit)
    {
        if (limit - position < 8)
        {
            return null;
        }
        var header = new byte[16];
        stream.Position = position;
        ReadExactly(stream, header.AsSpan(0, 8));
        long size = ReadUInt32(header);
        var type = Encoding.ASCII.GetString(header, 4, 4);
        var headerSize = 8;
        if (size == 1)
        {
            if (limit - position < 16)
            {
                return null;
            }
            ReadExactly(stream, header.AsSpan(8, 8));
            size = (long)(((ulong)ReadUInt32(header.AsSpan(8)) << 32) | ReadUInt32(header.AsSpan(12)));
            headerSize = 16;
        }
        else if (size == 0)
        {
            size = limit - position;
        }
        if (size < headerSize || position + size > limit)
        {
            throw new InvalidDataException($"The MP4 is cut short or corrupt: box '{type}' at byte {position} claims {size} bytes but only {limit - position} remain.");
        }
        return new Mp4Box(type, position, size, headerSize);
    }

    private static string ReadType(Stream stream, long position)
    {
        var buffer = new byte[4];
        stream.Position = position;
        ReadExactly(stream, buffer);
        return Encoding.ASCII.GetString(buffer);
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> b) => ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];

    private static void ReadExactly(Stream stream, Span<byte> buffer)
    {
        var read = 0;
        var scratch = new byte[buffer.Length];
        while (read < buffer.Length)
        {
            var n = stream.Read(scratch, read, buffer.Length - read);
            if (n == 0)
            {
                throw new InvalidDataException("The MP4 ended in the middle of a box header.");
            }
            read += n;
        }
        scratch.CopyTo(buffer);
    }
}
