using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Hailuo.Reliability;

/// <summary>The bytes of the hostile image files: headers only, since every check before sending reads no further.</summary>
public static class HostileFiles
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>A PNG's signature and IHDR chunk, stating <paramref name="width"/> by <paramref name="height"/>.</summary>
    public static byte[] Png(uint width, uint height)
    {
        var header = new byte[8 + 25];
        PngSignature.CopyTo(header, 0);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), 13);
        Encoding.ASCII.GetBytes("IHDR").CopyTo(header, 12);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(16), width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(20), height);
        header[24] = 8; // bit depth
        header[25] = 6; // RGBA
        return header;
    }

    /// <summary>A JPEG's start and an APP0 segment, but no frame header: it ends where its size should be.</summary>
    public static byte[] JpegWithoutFrame() => [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. "JFIF\0"u8, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF, 0xD9];

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>A valid image header followed by zeros up to <paramref name="length"/> bytes (sparse where the file system allows).</summary>
    public static void WriteLong(string path, byte[] head, long length)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        file.Write(head);
        file.SetLength(length);
    }

    /// <summary>A named pipe (FIFO): opening it to read waits for a writer that never comes. Windows has none; its NUL device stands in.</summary>
    public static string Fifo(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return @"\\.\NUL";
        }
        if (mkfifo(path, 0x180) != 0)
        {
            throw new IOException($"mkfifo {path} failed ({Marshal.GetLastPInvokeError()}).");
        }
        return path;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, uint mode);
}
