using System.Collections;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hailuo.Models;
using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>Where scanned text came from; each kind is a requirement row of its own.</summary>
public enum SecretPlace
{
    /// <summary>Objects, warnings, verbose and progress records that command logic writes.</summary>
    Streams,
    /// <summary>Error records: message, recommended action, code, target.</summary>
    ErrorRecords,
    /// <summary>Every exception thrown in the process while the run lasted (first chance), and those the callers caught.</summary>
    Exceptions,
    /// <summary>The engine's diagnostic lines (the debug and verbose log).</summary>
    Log,
    Ledger,
    /// <summary>connection.json, what Connect-Hailuo persists.</summary>
    Configuration,
    /// <summary>Every other file under the run's folder: videos, temp files, lock files.</summary>
    Files,
}

/// <summary>
/// Looks for API keys in everything a run leaves behind, in the forms a key takes on its way into
/// text: as is, JSON-escaped, URL-encoded, base64 (alone, and as the Bearer and Token headers carry
/// it), a long prefix, and its random part alone; in UTF-8 and UTF-16 files. Counts what it saw, so
/// that a report of zero leaks also says over how much.
/// </summary>
public sealed class SecretScanner
{
    /// <summary>What every key this suite makes starts with; the rest is random.</summary>
    public const string CanaryPrefix = "hl-canary-";

    private static readonly JsonSerializerOptions Dump = new()
    {
        ReferenceHandler = ReferenceHandler.IgnoreCycles,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly List<(string Form, string Needle, StringComparison Comparison)> _needles = [];
    private readonly ConcurrentDictionary<SecretPlace, Tally> _tallies = new();
    private readonly ConcurrentQueue<string> _leaks = new();

    public SecretScanner(params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            AddForms(secret);
        }
    }

    /// <summary>A recognisable key with a random part that URL and JSON encoding both change ('+' and '/').</summary>
    public static string NewCanary()
    {
        var random = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        // Make sure both encodings differ from the raw key, whatever the random bytes were.
        return CanaryPrefix + random[..10] + "+/" + random[12..];
    }

    public IReadOnlyList<(string Form, string Needle)> Needles => _needles.Select(n => (n.Form, n.Needle)).ToList();

    public IReadOnlyCollection<string> Leaks => _leaks.ToArray();

    public IEnumerable<string> LeaksIn(SecretPlace place) => _leaks.Where(l => l.StartsWith(place + ":", StringComparison.Ordinal));

    public Tally TallyOf(SecretPlace place) => _tallies.GetOrAdd(place, _ => new Tally());

    public long TotalItems => _tallies.Values.Sum(t => t.Items);

    private void AddForms(string secret)
    {
        void Add(string form, string needle, StringComparison comparison = StringComparison.Ordinal)
        {
            if (!_needles.Any(n => n.Needle.Equals(needle, comparison)))
            {
                _needles.Add((form, needle, comparison));
            }
        }

        Add("the key", secret);
        Add("the key, JSON-escaped", JsonSerializer.Serialize(secret)[1..^1]);
        Add("the key, URL-encoded", Uri.EscapeDataString(secret), StringComparison.OrdinalIgnoreCase);
        foreach (var (form, text) in new[] { ("the key", secret), ("Bearer key", "Bearer " + secret), ("Token key", "Token " + secret), (":key (Basic)", ":" + secret) })
        {
            // Whole groups only: the last group's padding depends on what follows in a longer string.
            var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
            var whole = Encoding.UTF8.GetByteCount(text) / 3 * 4;
            Add($"base64 of {form}", base64[..whole]);
        }
        foreach (var (form, needle) in Base64Runs(Encoding.UTF8.GetBytes(secret)))
        {
            Add(form, needle);
        }
        if (secret.StartsWith(CanaryPrefix, StringComparison.Ordinal) && secret.Length >= CanaryPrefix.Length + 20)
        {
            Add("a long prefix of the key", secret[..(CanaryPrefix.Length + 16)]);
            Add("the key's random part", secret[CanaryPrefix.Length..]);
        }
    }

    /// <summary>
    /// The key inside base64 of any text around it: the characters its own bytes alone decide, at each of the three
    /// places a byte can start within a group of three, in base64 and base64url; left out when too short to tell apart.
    /// </summary>
    private static IEnumerable<(string Form, string Needle)> Base64Runs(byte[] key)
    {
        for (var before = 0; before < 3; before++)
        {
            // Encoded after `before` zero bytes: bits [8 * before, 8 * (before + key.Length)) are the key's. A character
            // holds 6 bits, so the key's own characters start at the first whole 6-bit slot inside that range.
            var encoded = Convert.ToBase64String(new byte[before].Concat(key).ToArray());
            var start = (int)Math.Ceiling(8 * before / 6.0);
            var end = 8 * (before + key.Length) / 6;
            if (end - start >= 12)
            {
                var run = encoded[start..end];
                yield return ($"base64 of the key after {before} byte(s) of other text", run);
                yield return ($"base64url of the key after {before} byte(s) of other text", run.Replace('+', '-').Replace('/', '_'));
            }
        }
    }

    /// <summary>A scanner for exactly these needles: forms of a key too short to search for as it is (a one-letter key is in every word).</summary>
    public static SecretScanner Of(IEnumerable<(string Form, string Needle)> needles)
    {
        var scanner = new SecretScanner();
        foreach (var (form, needle) in needles)
        {
            scanner._needles.Add((form, needle, StringComparison.Ordinal));
        }
        return scanner;
    }

    /// <summary>The forms found in a text, by name.</summary>
    public IReadOnlyList<string> Find(string text) =>
        _needles.Where(n => text.Contains(n.Needle, n.Comparison)).Select(n => n.Form).ToList();

    public void ScanText(SecretPlace place, string where, string? text)
    {
        var tally = TallyOf(place);
        tally.Add(1, text is null ? 0 : Encoding.UTF8.GetByteCount(text));
        if (text is not null)
        {
            Report(place, where, Find(text));
        }
    }

    /// <summary>A record as a user could see it: its text and, serialised, every public property.</summary>
    public void ScanRecord(SecretPlace place, string where, object? item) => ScanText(place, where, Describe(item));

    /// <summary>A record a command wrote to one of its streams (<see cref="RecordingOutput.Written"/>): an error record's place is its own.</summary>
    public void ScanWritten(string stream, object record) =>
        ScanRecord(stream == RecordingOutput.ErrorStream ? SecretPlace.ErrorRecords : SecretPlace.Streams, stream, record);

    public static string Describe(object? item)
    {
        if (item is null)
        {
            return "";
        }
        string json;
        try
        {
            json = JsonSerializer.Serialize(item, item.GetType(), Dump);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or JsonException)
        {
            json = "";
        }
        return item + "\n" + json;
    }

    /// <summary>An exception, its inner exceptions and its Data, each counted.</summary>
    public void ScanException(string where, Exception exception)
    {
        var seen = new HashSet<Exception>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<Exception>();
        pending.Push(exception);
        while (pending.Count > 0)
        {
            var e = pending.Pop();
            if (!seen.Add(e))
            {
                continue;
            }
            var text = new StringBuilder(e.ToString());
            foreach (DictionaryEntry entry in e.Data)
            {
                text.Append('\n').Append(entry.Key).Append('=').Append(entry.Value);
            }
            if (e is HailuoException h)
            {
                text.Append('\n').Append(Describe(h.Error));
            }
            ScanText(SecretPlace.Exceptions, $"{where} ({e.GetType().Name})", text.ToString());
            if (e.InnerException is { } inner)
            {
                pending.Push(inner);
            }
            if (e is AggregateException aggregate)
            {
                foreach (var child in aggregate.InnerExceptions)
                {
                    pending.Push(child);
                }
            }
        }
    }

    /// <summary>A file's bytes, for each form in UTF-8 and in UTF-16.</summary>
    public void ScanFile(SecretPlace place, string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return; // a temp file that was removed between listing and reading
        }
        TallyOf(place).Add(1, bytes.Length);
        var found = new List<string>();
        foreach (var (form, needle, comparison) in _needles)
        {
            var ignoreCase = comparison == StringComparison.OrdinalIgnoreCase;
            if (Contains(bytes, Encoding.UTF8.GetBytes(needle), ignoreCase) || Contains(bytes, Encoding.Unicode.GetBytes(needle), ignoreCase))
            {
                found.Add(form);
            }
        }
        Report(place, path, found);
    }

    /// <summary>Every file under a folder; the ledger and the configuration are counted as themselves.</summary>
    public void ScanFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            var place = name.StartsWith(Hailuo.Ledger.JobLedger.FileName, StringComparison.Ordinal) ? SecretPlace.Ledger
                : name.StartsWith(Hailuo.Connection.ConnectionStore.FileName, StringComparison.Ordinal) ? SecretPlace.Configuration
                : SecretPlace.Files;
            ScanFile(place, file);
        }
    }

    private void Report(SecretPlace place, string where, IReadOnlyList<string> forms)
    {
        foreach (var form in forms)
        {
            _leaks.Enqueue($"{place}: {form} in {where}");
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle, bool ignoreAsciiCase)
    {
        if (!ignoreAsciiCase)
        {
            return haystack.AsSpan().IndexOf(needle) >= 0;
        }
        var lower = haystack.Select(b => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b).ToArray();
        var lowerNeedle = needle.Select(b => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b).ToArray();
        return lower.AsSpan().IndexOf(lowerNeedle) >= 0;
    }

    /// <summary>How many items of one kind were scanned, and how many bytes they held.</summary>
    public sealed class Tally
    {
        private long _items;
        private long _bytes;

        public long Items => Interlocked.Read(ref _items);

        public long Bytes => Interlocked.Read(ref _bytes);

        public void Add(long items, long bytes)
        {
            Interlocked.Add(ref _items, items);
            Interlocked.Add(ref _bytes, bytes);
        }
    }
}

/// <summary>
/// Keeps every exception thrown anywhere in the process while it is alive (first chance, so those
/// that are caught and handled inside the engine too), for the scanner to read afterwards.
/// </summary>
public sealed class FirstChanceExceptions : IDisposable
{
    private readonly ConcurrentQueue<Exception> _seen = new();

    public FirstChanceExceptions() => AppDomain.CurrentDomain.FirstChanceException += OnException;

    public IReadOnlyCollection<Exception> Seen => _seen.ToArray();

    private void OnException(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e) => _seen.Enqueue(e.Exception);

    public void Dispose() => AppDomain.CurrentDomain.FirstChanceException -= OnException;
}
