using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Hailuo.Downloads;

/// <summary>
/// Asks the kernel to start writing a download's bytes to disk while the rest is still arriving, so that the
/// flush before the rename finds little left to do: the disk works alongside the network instead of after it.
/// Linux only (sync_file_range, which does not wait); elsewhere the final flush does all of it, as before.
/// </summary>
internal sealed class WriteBehind
{
    /// <summary>How much to let pile up between hints: large enough that the call is rare, small enough to overlap.</summary>
    public const long Stride = 8L << 20;

    private const uint SyncFileRangeWrite = 2;
    // Process-wide (docs/architecture.md): set once the call turns out to be missing, never cleared.
    private static bool _unavailable = !RuntimeInformation.IsOSPlatform(OSPlatform.Linux);

    private readonly FileStream _file;
    private long _hinted;

    public WriteBehind(FileStream file, long from)
    {
        _file = file;
        _hinted = from;
    }

    /// <summary>Whether hints are being given here: false off Linux, or once the call turned out to be missing.</summary>
    public static bool Available => !_unavailable;

    /// <summary>Called after each write with the file's length so far; cheap until a stride has piled up.</summary>
    public void Written(long length)
    {
        if (length < _hinted)
        {
            _hinted = length; // the file was cut back to start over
        }
        if (_unavailable || length - _hinted < Stride)
        {
            return;
        }
        try
        {
            // A failure only means the final flush does the work: never worth failing the download over.
            var fd = _file.SafeFileHandle.DangerousGetHandle().ToInt32();
            _ = sync_file_range(fd, _hinted, length - _hinted, SyncFileRangeWrite);
            _hinted = length;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException or ObjectDisposedException)
        {
            _unavailable = true;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sync_file_range(int fd, long offset, long nbytes, uint flags);
}
