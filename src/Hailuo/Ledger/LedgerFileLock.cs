// The lock across processes that every append and compaction holds (LedgerFile.cs). Its own file because how
// the operating system enforces it, and why the lock file is never deleted, is a concern of its own.
using System;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace Hailuo.Ledger;

/// <summary>
/// A lock across processes: a lock file held open with FileShare.None. The operating system drops it when the
/// holder dies, so a crash never leaves the ledger locked. The file itself is never deleted: deleting a lock
/// file lets a third process lock a new file while a second still holds the old one.
/// On Unix .NET enforces FileShare.None with flock, which DOTNET_SYSTEM_IO_DISABLEFILELOCKING=1 turns off:
/// with that set, two processes must not write one ledger at once.
/// </summary>
internal static class LedgerFileLock
{
    public static FileStream Acquire(string lockPath, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var attempt = 0;
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.None);
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException)
            {
                // Held by another process (or another ledger instance in this one). Holders keep it for one
                // write and fsync, so spin first, then back off a little, with jitter so waiters don't stay in step.
                if (clock.Elapsed >= timeout)
                {
                    throw new IOException(
                        $"The job ledger is locked by another process ({lockPath}) and stayed locked for {timeout.TotalSeconds:0.#} s.", e);
                }
                attempt++;
                if (attempt < 20)
                {
                    Thread.Yield();
                }
                else
                {
                    Thread.Sleep(Math.Min(1 + (attempt - 20) / 8, 4) + Jitter());
                }
            }
        }
    }

    // Per thread, listed with the process-wide state in docs/architecture.md.
    [ThreadStatic]
    private static Random? _random;

    private static int Jitter() => (_random ??= new Random(Environment.TickCount ^ Thread.CurrentThread.ManagedThreadId)).Next(0, 2);
}
