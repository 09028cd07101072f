using System;
using System.Threading;
using System.Threading.Tasks;

namespace Hailuo;

/// <summary>Waits on the engine's clock (HailuoClientOptions.TimeProvider) that cannot be lost.</summary>
internal static class ClockWaits
{
    /// <summary>
    /// The clock whose timers an <see cref="EmulatedTime"/> uses, for waits handed to code that special-cases the system
    /// clock (Polly): the package's system timer for netstandard2.0 can be collected before it fires, Task.Delay's cannot.
    /// </summary>
    public static TimeProvider Timers(this TimeProvider clock) => clock is EmulatedTime emulated ? emulated.Clock : clock;

    /// <summary>Waits <paramref name="delay"/> of the clock's time: Task.Delay on the system clock, the clock's timer otherwise.</summary>
    public static Task Wait(this TimeProvider clock, TimeSpan delay, CancellationToken cancellationToken)
    {
        var timers = clock.Timers();
        return timers == TimeProvider.System ? Task.Delay(delay, cancellationToken) : timers.Delay(delay, cancellationToken);
    }
}
