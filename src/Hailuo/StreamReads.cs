using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Hailuo;

/// <summary>Reads that a single Stream.ReadAsync does not make: a network or file stream may return less than asked.</summary>
internal static class StreamReads
{
    /// <summary>Fills the buffer, or reads up to the end of the stream; returns how many bytes were read.</summary>
    public static async Task<int> ReadUpToAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer, total, buffer.Length - total, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }
}
