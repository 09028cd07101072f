// Allocation-free helpers for reading ledger lines: fixed names matched on UTF-8 bytes, enum names, and a pool
// for strings that repeat. Apart from LedgerRecord.Json.cs, which uses them, because they know nothing of records.
using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;

namespace Hailuo.Ledger;

/// <summary>
/// A fixed set of names matched against a JSON token's UTF-8 bytes, so that reading a ledger line allocates
/// no string for a property name or an enum value (on a 100,000-job ledger those strings were most of the garbage).
/// </summary>
internal sealed class Utf8NameTable
{
    private readonly byte[][] _names;

    public Utf8NameTable(IReadOnlyList<string> names)
    {
        _names = new byte[names.Count][];
        for (var i = 0; i < names.Count; i++)
        {
            _names[i] = Encoding.UTF8.GetBytes(names[i]);
        }
    }

    /// <summary>
    /// The index of the token's name, or -1. The search starts just after <paramref name="previous"/>: the
    /// ledger writes its fields in table order, so the next name is nearly always the first one tried.
    /// </summary>
    public int Find(ref Utf8JsonReader reader, int previous = -1)
    {
        for (var step = 1; step <= _names.Length; step++)
        {
            var i = (previous + step) % _names.Length;
            if (reader.ValueTextEquals(_names[i]))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>
    /// Moves the reader to the next property whose value is not null and gives its index (-1 for a name not in the
    /// table); false at the end of the object. <paramref name="previous"/> carries the last index found from one
    /// call to the next, for <see cref="Find"/>.
    /// </summary>
    public bool NextValue(ref Utf8JsonReader reader, ref int previous, out int found)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            found = Find(ref reader, previous);
            previous = found < 0 ? previous : found;
            reader.Read();
            if (reader.TokenType != JsonTokenType.Null)
            {
                return true;
            }
        }
        found = -1;
        return false;
    }
}

/// <summary>An enum's names as the ledger writes them (exact case), matched without a string.</summary>
internal static class Utf8EnumNames<T>
    where T : struct, Enum
{
    private static readonly T[] Values = (T[])Enum.GetValues(typeof(T));
    private static readonly Utf8NameTable Names = new(Array.ConvertAll(Values, v => v.ToString()));

    public static T Read(ref Utf8JsonReader reader)
    {
        var i = reader.TokenType == JsonTokenType.String ? Names.Find(ref reader) : -1;
        return i >= 0 ? Values[i] : throw new FormatException($"Not a {typeof(T).Name}.");
    }
}

/// <summary>
/// Strings that repeat on nearly every line (the account, the model, the resolution, tag names), read once
/// and then shared, so that a big ledger holds one copy of each rather than one a job.
/// </summary>
internal sealed class Utf8StringPool
{
    private const int Capacity = 64;
    private readonly List<KeyValuePair<byte[], string>> _entries = new();

    public string? Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || reader.HasValueSequence || reader.ValueIsEscaped || reader.ValueSpan.Length > 64)
        {
            return reader.GetString();
        }
        var bytes = reader.ValueSpan;
        foreach (var entry in _entries)
        {
            if (bytes.SequenceEqual(entry.Key))
            {
                return entry.Value;
            }
        }
        var text = reader.GetString()!;
        if (_entries.Count < Capacity)
        {
            _entries.Add(new KeyValuePair<byte[], string>(bytes.ToArray(), text));
        }
        return text;
    }
}
