using System.Globalization;

namespace Hailuo.Emulator.Core;

/// <summary>
/// How long one job generates, in the provider's own (unscaled) seconds, drawn per job: a fixed time, a uniform range,
/// or a log-normal whose 5th and 95th percentiles are given (a twentieth of the jobs run past the second: its tail).
/// Written as <c>fixed:120</c>, <c>uniform:30-90</c> or <c>lognormal:120-600</c>.
/// </summary>
public sealed class GenerationTime
{
    // The standard normal's 95th percentile.
    private const double Z95 = 1.6448536269514722;

    private GenerationTime(string kind, double low, double high)
    {
        Kind = kind;
        Low = low;
        High = high;
    }

    /// <summary>fixed, uniform or lognormal.</summary>
    public string Kind { get; }

    /// <summary>The fixed time, the range's start, or the log-normal's 5th percentile.</summary>
    public double Low { get; }

    /// <summary>The fixed time, the range's end, or the log-normal's 95th percentile.</summary>
    public double High { get; }

    public static GenerationTime Fixed(double seconds) => Checked("fixed", seconds, seconds);

    public static GenerationTime Uniform(double low, double high) => Checked("uniform", low, high);

    public static GenerationTime LogNormal(double p5, double p95) => Checked("lognormal", p5, p95);

    /// <summary>One job's time, from a uniform draw <paramref name="u"/> in [0, 1) and, for the log-normal, a second one.</summary>
    public double Draw(double u, double v) => Kind switch
    {
        "uniform" => Low + (u * (High - Low)),
        "lognormal" => Math.Exp(((Math.Log(Low) + Math.Log(High)) / 2)
            + ((Math.Log(High) - Math.Log(Low)) / (2 * Z95) * Math.Sqrt(-2 * Math.Log(1 - u)) * Math.Cos(2 * Math.PI * v))),
        _ => Low,
    };

    /// <summary>Reads <c>fixed:S</c>, <c>uniform:MIN-MAX</c> or <c>lognormal:P5-P95</c>; a bare number is fixed.</summary>
    public static GenerationTime Parse(string text)
    {
        var t = text.Trim();
        var colon = t.IndexOf(':');
        var kind = colon < 0 ? "fixed" : t[..colon].Trim().ToLowerInvariant();
        var numbers = colon < 0 ? t : t[(colon + 1)..];
        try
        {
            switch (kind)
            {
                case "fixed":
                    return Fixed(Number(numbers));
                case "uniform":
                case "lognormal":
                    var dash = numbers.IndexOf('-', 1);
                    if (dash < 0)
                    {
                        break;
                    }
                    var (low, high) = (Number(numbers[..dash]), Number(numbers[(dash + 1)..]));
                    return kind == "uniform" ? Uniform(low, high) : LogNormal(low, high);
            }
        }
        catch (FormatException)
        {
        }
        throw new ArgumentException(
            $"'{text}' is not a generation time: use fixed:SECONDS, uniform:MIN-MAX or lognormal:P5-P95 (90 % of jobs between the two), for example uniform:30-90.");
    }

    public override string ToString() => Kind == "fixed"
        ? string.Create(CultureInfo.InvariantCulture, $"fixed:{Low}")
        : string.Create(CultureInfo.InvariantCulture, $"{Kind}:{Low}-{High}");

    private static double Number(string text) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw new FormatException();

    private static GenerationTime Checked(string kind, double low, double high)
    {
        if (!(low > 0) || !(high >= low) || double.IsInfinity(high))
        {
            throw new ArgumentException($"A generation time needs 0 < low <= high seconds, not {low}-{high}.");
        }
        return new GenerationTime(kind, low, high);
    }
}

/// <summary>After the first <see cref="AfterJobs"/> jobs of a provider, every job takes <see cref="Factor"/> times as long: a provider changing pace.</summary>
public sealed record PaceShift(double Factor, long AfterJobs)
{
    /// <summary>Reads <c>FACTOR@JOBS</c>, such as <c>3@50</c>.</summary>
    public static PaceShift Parse(string text)
    {
        var at = text.IndexOf('@');
        if (at > 0
            && double.TryParse(text[..at], NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) && factor > 0
            && long.TryParse(text[(at + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var after) && after >= 0)
        {
            return new PaceShift(factor, after);
        }
        throw new ArgumentException($"'{text}' is not a pace shift: use FACTOR@JOBS, for example 3@50 (jobs after the 50th take 3 times as long).");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Factor}@{AfterJobs}");
}

/// <summary>A share of jobs that the content filter refuses <see cref="AfterSeconds"/> after they start, spread evenly (0.2: every 5th job).</summary>
public sealed record Refusals(double Share, double AfterSeconds)
{
    /// <summary>Reads <c>SHARE@SECONDS</c>, such as <c>0.2@2</c>.</summary>
    public static Refusals Parse(string text)
    {
        var at = text.IndexOf('@');
        if (at > 0
            && double.TryParse(text[..at], NumberStyles.Float, CultureInfo.InvariantCulture, out var share) && share is >= 0 and <= 1
            && double.TryParse(text[(at + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            return new Refusals(share, seconds);
        }
        throw new ArgumentException($"'{text}' is not a refusal rule: use SHARE@SECONDS, for example 0.2@2 (every 5th job refused 2 s after it starts).");
    }

    /// <summary>Whether the <paramref name="ordinal"/>-th job (from 1) is refused: the count of refusals steps up by one every 1 / share jobs.</summary>
    public bool Refuses(long ordinal) => Math.Floor(ordinal * Share + 1e-9) > Math.Floor((ordinal - 1) * Share + 1e-9);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Share}@{AfterSeconds}");
}
