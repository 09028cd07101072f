using System;
using System.Globalization;
using System.Linq;
using System.Net.Http.Headers;
using System.Threading;

namespace Hailuo;

/// <summary>
/// The wall clock, with the pace at which a provider's own durations pass: 1 for a real provider, the emulator's
/// --time-scale for the emulator.
/// </summary>
/// <remarks>
/// The emulator (src/Hailuo.Emulator) keeps the wall clock: it stamps jobs with real times and shrinks only what it makes
/// up, generation times, Retry-After values and link lifetimes. So this clock's now and its timers stay real: due times
/// are provider timestamps plus durations learned from them, and the ledger's times are what users filter by, all real.
/// Only the durations the engine knows before the provider shows any (the published generation times, first look and
/// poll cadence, backoff, rate windows, Cloudflare's held run) pass at the provider's pace, through
/// <see cref="ProviderTime"/>. Durations learned from provider timestamps already pass at it, and network timeouts
/// never do: the network is not faster under the emulator. The emulator names its pace on every answer
/// (<see cref="PaceHeader"/>), which a client of a loopback address learns from.
/// </remarks>
public sealed class EmulatedTime : TimeProvider
{
    /// <summary>The header on each of the emulator's answers that says its --time-scale.</summary>
    public const string PaceHeader = "X-Emulator-Time-Scale";

    private long _paceBits;
    private int _heard;

    /// <param name="pace">How fast the provider's durations pass: 0.01 makes its 60 s rate window 0.6 s of this clock.</param>
    /// <param name="clock">The clock and timers; null is the system's.</param>
    public EmulatedTime(double pace = 1.0, TimeProvider? clock = null)
    {
        if (!IsPace(pace))
        {
            throw new ArgumentOutOfRangeException(nameof(pace), pace, "The pace must be greater than 0.");
        }
        Clock = clock ?? System;
        _paceBits = BitConverter.DoubleToInt64Bits(pace);
    }

    /// <summary>The clock this one reads the time and makes timers from.</summary>
    public TimeProvider Clock { get; }

    /// <summary>The provider's pace: given, or as its latest answer named it.</summary>
    public double Pace => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _paceBits));

    /// <summary>An answer from the provider has come, naming a pace or not: from now on <see cref="Pace"/> is its.</summary>
    internal bool Heard => Volatile.Read(ref _heard) != 0;

    /// <summary>Raised when an answer names a new pace: what was planned at the old one may be due sooner.</summary>
    internal event Action? PaceChanged;

    /// <summary>
    /// A duration of the provider's (a generation, a rate window, a backoff it expects) as time on <paramref name="clock"/>:
    /// shrunk by its pace when the clock is an <see cref="EmulatedTime"/>, unchanged otherwise.
    /// </summary>
    public static TimeSpan ProviderTime(TimeProvider clock, TimeSpan duration) =>
        // By ticks: netstandard2.0 has no TimeSpan * double.
        clock is EmulatedTime emulated ? TimeSpan.FromTicks((long)(duration.Ticks * emulated.Pace)) : duration;

    /// <summary>
    /// The clock of a client's account: <paramref name="clock"/>, able to learn the emulator's pace where the provider is at
    /// a loopback address; until an answer names one (a loopback server that is not the emulator never does), pace 1.
    /// </summary>
    internal static TimeProvider For(TimeProvider clock, Uri baseUri) =>
        clock is EmulatedTime || !Transport.NetworkAddress.IsLoopback(baseUri) ? clock : new EmulatedTime(1.0, clock);

    /// <summary>Takes the pace an answer of the provider's names, if it names one.</summary>
    internal void Learn(HttpResponseHeaders headers)
    {
        Volatile.Write(ref _heard, 1);
        if (headers.TryGetValues(PaceHeader, out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var pace) && IsPace(pace)
            && Interlocked.Exchange(ref _paceBits, BitConverter.DoubleToInt64Bits(pace)) != BitConverter.DoubleToInt64Bits(pace))
        {
            PaceChanged?.Invoke();
        }
    }

    private static bool IsPace(double pace) => pace > 0 && !double.IsInfinity(pace);

    public override DateTimeOffset GetUtcNow() => Clock.GetUtcNow();

    public override long GetTimestamp() => Clock.GetTimestamp();

    public override long TimestampFrequency => Clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Clock.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        Clock.CreateTimer(callback, state, dueTime, period);
}
