// A process as the ledger records it (the writer of an intent, the holder of a download) and whether it still
// runs. Apart because it asks the operating system, not the file, and callers use it on its own.
using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Hailuo.Ledger;

/// <summary>
/// A process as the ledger names the writer of an intent or the holder of a download: its id and its start time, so
/// that a later process with a recycled id is not taken for it. Another process reading the ledger can tell from it
/// whether the writer still runs, and so whether a create it sent may still be answered.
/// </summary>
public readonly struct ProcessStamp : IEquatable<ProcessStamp>
{
    // Process-wide (docs/architecture.md): read once.
    private static readonly Lazy<ProcessStamp> CurrentStamp = new(() =>
    {
        using var self = Process.GetCurrentProcess();
        return new ProcessStamp(self.Id, self.StartTime.ToUniversalTime().Ticks);
    });

    public ProcessStamp(int id, long startedTicks)
    {
        Id = id;
        StartedTicks = startedTicks;
    }

    /// <summary>This process.</summary>
    public static ProcessStamp Current => CurrentStamp.Value;

    public int Id { get; }

    /// <summary>When the process started, in UTC ticks.</summary>
    public long StartedTicks { get; }

    public bool IsCurrent => Equals(Current);

    /// <summary>
    /// Whether the process still runs: one with the same id that started at the same time (to the second). When the
    /// system will not say (another user's process), it is taken to run: waiting is safe, resending is not.
    /// </summary>
    public bool IsAlive()
    {
        if (IsCurrent)
        {
            return true;
        }
        try
        {
            using var process = Process.GetProcessById(Id);
            if (process.HasExited)
            {
                return false;
            }
            return Math.Abs(process.StartTime.ToUniversalTime().Ticks - StartedTicks) < TimeSpan.TicksPerSecond;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false; // it exited while being asked
        }
        catch (Win32Exception)
        {
            return true;
        }
        catch (NotSupportedException)
        {
            return true;
        }
    }

    /// <summary>"id@ticks", as the ledger writes it.</summary>
    public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0}@{1}", Id, StartedTicks);

    public static ProcessStamp? Parse(string? text)
    {
        var at = text?.IndexOf('@') ?? -1;
        return at > 0
            && int.TryParse(text!.Substring(0, at), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && long.TryParse(text.Substring(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? new ProcessStamp(id, ticks)
            : null;
    }

    public bool Equals(ProcessStamp other) => Id == other.Id && StartedTicks == other.StartedTicks;

    public override bool Equals(object? obj) => obj is ProcessStamp other && Equals(other);

    public override int GetHashCode() => (Id * 397) ^ StartedTicks.GetHashCode();
}
