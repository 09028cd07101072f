using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Hailuo.Emulator.Core;

/// <summary>
/// The MP4 clips the emulator serves: small real test-pattern clips made with ffmpeg, one per
/// resolution and duration, optionally padded with a trailing <c>free</c> box to any size so that
/// multi-hundred-megabyte downloads can be tested without storing them.
/// </summary>
public sealed class VideoLibrary
{
    private readonly Dictionary<string, byte[]> _clips = new(StringComparer.Ordinal);

    public VideoLibrary()
    {
        var assembly = typeof(VideoLibrary).Assembly;
        foreach (var key in new[] { "768p-6s", "768p-10s", "1080p-6s" })
        {
            using var stream = assembly.GetManifestResourceStream($"Hailuo.Emulator.Assets.hailuo-{key}.mp4")
                ?? throw new InvalidOperationException($"The emulator was built without its clip for {key}.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            _clips[key] = copy.ToArray();
        }
    }

    /// <summary>The clip for a job, padded to <paramref name="paddedLength"/> bytes when that is longer than the clip.</summary>
    public VirtualVideo Open(string assetKey, long paddedLength)
    {
        var clip = _clips.TryGetValue(assetKey, out var bytes) ? bytes : _clips["768p-6s"];
        return new VirtualVideo(clip, paddedLength);
    }

    public static (int Width, int Height) Dimensions(string resolution) =>
        resolution.Equals("1080p", StringComparison.OrdinalIgnoreCase) ? (1920, 1080) : (1366, 768);
}

/// <summary>A clip followed by a <c>free</c> box of zeros, readable at any offset without materialising it.</summary>
public sealed class VirtualVideo
{
    private static readonly byte[] Zeros = new byte[81920];
    private readonly byte[] _clip;
    private readonly byte[] _freeHeader;

    public VirtualVideo(byte[] clip, long paddedLength)
    {
        _clip = clip;
        var padding = paddedLength - clip.Length;
        if (padding >= 16)
        {
            // A box over 4 GiB needs the 64-bit "largesize" form; smaller ones use the 32-bit size.
            if (padding > uint.MaxValue)
            {
                _freeHeader = new byte[16];
                BinaryPrimitives.WriteUInt32BigEndian(_freeHeader, 1);
                Encoding.ASCII.GetBytes("free", 0, 4, _freeHeader, 4);
                BinaryPrimitives.WriteUInt64BigEndian(_freeHeader.AsSpan(8), (ulong)padding);
            }
            else
            {
                _freeHeader = new byte[8];
                BinaryPrimitives.WriteUInt32BigEndian(_freeHeader, (uint)padding);
                Encoding.ASCII.GetBytes("free", 0, 4, _freeHeader, 4);
            }
            Length = paddedLength;
        }
        else
        {
            _freeHeader = [];
            Length = clip.Length;
        }
    }

    public long Length { get; }

    public string ETag => $"\"{Convert.ToHexString(SHA256.HashData(_clip))[..16].ToLowerInvariant()}-{Length}\"";

    /// <summary>The whole video in memory, for a test or a hostile answer that sends it as one body.</summary>
    public byte[] ToArray()
    {
        using var memory = new MemoryStream();
        // A MemoryStream completes every write at once, so this never blocks.
        WriteAsync(memory, 0, Length, Length, CancellationToken.None).GetAwaiter().GetResult();
        return memory.ToArray();
    }

    /// <summary>Writes bytes [start, start + count) to the stream; stops early after <paramref name="limit"/> bytes.</summary>
    public async Task<long> WriteAsync(Stream output, long start, long count, long limit, CancellationToken cancellationToken)
    {
        long written = 0;
        var position = start;
        var end = start + Math.Min(count, limit);
        while (position < end)
        {
            ReadOnlyMemory<byte> chunk;
            if (position < _clip.Length)
            {
                chunk = _clip.AsMemory((int)position, (int)Math.Min(_clip.Length - position, end - position));
            }
            else if (position < _clip.Length + _freeHeader.Length)
            {
                var offset = (int)(position - _clip.Length);
                chunk = _freeHeader.AsMemory(offset, (int)Math.Min(_freeHeader.Length - offset, end - position));
            }
            else
            {
                chunk = Zeros.AsMemory(0, (int)Math.Min(Zeros.Length, end - position));
            }
            await output.WriteAsync(chunk, cancellationToken);
            position += chunk.Length;
            written += chunk.Length;
        }
        return written;
    }
}

/// <summary>
/// Signed, expiring download links, like a CDN's: the link carries its expiry and an HMAC over the
/// file and the expiry, so that a fresh link can be issued at any time and an old one checked.
/// </summary>
public sealed class LinkSigner
{
    private readonly byte[] _key;

    public LinkSigner(int seed)
    {
        _key = SHA256.HashData(Encoding.UTF8.GetBytes($"hailuo-emulator-links-{seed}"));
    }

    public string Sign(string provider, string fileId, DateTimeOffset expires)
    {
        var exp = expires.ToUnixTimeMilliseconds();
        return $"/files/{provider}/{fileId}/video.mp4?expires={exp}&sig={Signature(provider, fileId, exp)}";
    }

    public enum Verdict { Valid, Expired, Forged }

    public Verdict Check(string provider, string fileId, string? expires, string? signature, DateTimeOffset now)
    {
        if (!long.TryParse(expires, out var exp) || signature is null)
        {
            return Verdict.Forged;
        }
        var expected = Signature(provider, fileId, exp);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            return Verdict.Forged;
        }
        return now.ToUnixTimeMilliseconds() > exp ? Verdict.Expired : Verdict.Valid;
    }

    private string Signature(string provider, string fileId, long exp)
    {
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{provider}|{fileId}|{exp}"));
        return Convert.ToHexString(mac)[..32].ToLowerInvariant();
    }
}
