using System;
using System.Globalization;
using System.Text.Json;

namespace Hailuo.Transport;

/// <summary>Tolerant readers over provider JSON: the first of several names, strings or lists, any casing of values.</summary>
internal static class Json
{
    public static JsonElement? Property(this JsonElement element, string name)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
        {
            return value;
        }
        return null;
    }

    /// <summary>The first of the named properties that holds a string or a number, as text.</summary>
    public static string? String(this JsonElement element, params string[] names)
    {
        foreach (var name in names)
        {
            if (element.Property(name) is { } value)
            {
                switch (value.ValueKind)
                {
                    case JsonValueKind.String:
                        return value.GetString();
                    case JsonValueKind.Number:
                        return value.GetRawText();
                }
            }
        }
        return null;
    }

    public static int? Int(this JsonElement element, string name) =>
        element.Property(name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt32(out var i) ? i : null;

    public static double? Double(this JsonElement element, string name) =>
        element.Property(name) is { ValueKind: JsonValueKind.Number } value && value.TryGetDouble(out var d) ? d : null;

    /// <summary>An ISO 8601 time or unix seconds.</summary>
    public static DateTimeOffset? Time(this JsonElement element, string name)
    {
        if (element.Property(name) is not { } value)
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return parsed;
        }
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds) && seconds > 0)
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }
        return null;
    }

    /// <summary>An output that is a URL string, a list whose first item is one, or an object with url/video.</summary>
    public static Uri? FirstUrl(JsonElement? value)
    {
        if (value is not { } element)
        {
            return null;
        }
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Uri.TryCreate(element.GetString(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) ? uri : null;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (FirstUrl(item) is { } first)
                    {
                        return first;
                    }
                }
                return null;
            case JsonValueKind.Object:
                return FirstUrl(element.Property("url")) ?? FirstUrl(element.Property("video")) ?? FirstUrl(element.Property("output"));
            default:
                return null;
        }
    }

    /// <summary>Whether two JSON values are the same: objects by their properties in any order, numbers by value.</summary>
    public static bool Same(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }
        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var count = 0;
                foreach (var property in a.EnumerateObject())
                {
                    count++;
                    if (!b.TryGetProperty(property.Name, out var other) || !Same(property.Value, other))
                    {
                        return false;
                    }
                }
                foreach (var _ in b.EnumerateObject())
                {
                    count--;
                }
                return count == 0;
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength())
                {
                    return false;
                }
                using (var left = a.EnumerateArray())
                using (var right = b.EnumerateArray())
                {
                    while (left.MoveNext() && right.MoveNext())
                    {
                        if (!Same(left.Current, right.Current))
                        {
                            return false;
                        }
                    }
                }
                return true;
            case JsonValueKind.Number:
                return a.TryGetDecimal(out var x) && b.TryGetDecimal(out var y) ? x == y : a.GetRawText() == b.GetRawText();
            case JsonValueKind.String:
                return a.GetString() == b.GetString();
            default:
                return true; // true, false, null: the kinds already matched
        }
    }

    /// <summary>An error that is a string, or an object with message/detail/code.</summary>
    public static string? ErrorText(JsonElement? value)
    {
        if (value is not { } element)
        {
            return null;
        }
        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Object => element.String("message", "detail", "error", "title"),
            _ => null,
        };
    }
}
