using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Hailuo.Models;

namespace Hailuo.Ledger;

/// <summary>
/// One line of the ledger file. Most records are deltas (only what changed), so two processes writing about
/// the same job never overwrite each other's fields; a snapshot carries a whole entry and is what compaction writes.
/// </summary>
internal sealed class LedgerRecord
{
    public const string Header = "header";
    public const string Intent = "intent";
    public const string Submitted = "submitted";
    public const string Unknown = "unknown";
    public const string Rejected = "rejected";
    public const string Status = "status";
    public const string Downloaded = "downloaded";
    public const string Snapshot = "snapshot";
    public const string Moved = "moved";
    public const string Downloading = "downloading";
    public const string Abandoned = "abandoned";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Prompts are often Chinese: keep them readable; control characters (and so newlines) are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    public string Type { get; set; } = "";
    public string? Key { get; set; }
    public DateTimeOffset At { get; set; }
    public HailuoProvider? Provider { get; set; }
    public string? Account { get; set; }
    public string? InputHash { get; set; }
    public string? JobId { get; set; }
    public string? Model { get; set; }
    public LedgerState? State { get; set; }
    public JobStatus? JobStatus { get; set; }
    public HailuoError? Error { get; set; }
    public VideoRequest? Request { get; set; }
    public IReadOnlyDictionary<string, string?>? Tag { get; set; }
    public DateTimeOffset? CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? FileId { get; set; }
    public string? TaskId { get; set; }
    public string? VideoPath { get; set; }
    public long? VideoLength { get; set; }
    /// <summary>A compacted file's generation: a header names its own, a moved marker names its successor's.</summary>
    public string? Generation { get; set; }
    /// <summary>The input's row number (intents and snapshots).</summary>
    public long? Row { get; set; }
    /// <summary>The process that wrote an intent, or that downloads a job's video ("downloading" records).</summary>
    public ProcessStamp? Owner { get; set; }
    /// <summary>A snapshot's download under way: the file, and <see cref="Downloader"/> the process writing it.</summary>
    public string? DownloadingTo { get; set; }
    public ProcessStamp? Downloader { get; set; }

    public static LedgerRecord FromEntry(LedgerEntry e, DateTimeOffset at) => new()
    {
        Type = Snapshot,
        Key = e.Key,
        At = at,
        Provider = e.Provider,
        Account = e.Account,
        InputHash = e.InputHash,
        JobId = e.JobId,
        Model = e.Model,
        State = e.State,
        JobStatus = e.Status,
        Error = e.Error,
        Request = e.RawRequest,
        Tag = e.Tag,
        CreatedAt = e.CreatedAt,
        StartedAt = e.StartedAt,
        CompletedAt = e.CompletedAt,
        FileId = e.FileId,
        TaskId = e.TaskId,
        VideoPath = e.VideoPath,
        VideoLength = e.VideoLength,
        Row = e.Row,
        Owner = e.Owner,
        DownloadingTo = e.DownloadingTo,
        Downloader = e.Downloader,
    };

    /// <summary>The record as one JSON line, ending in '\n'.</summary>
    public byte[] ToLine()
    {
        using var buffer = new MemoryStream(256);
        Write(buffer);
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    public void Write(Stream output)
    {
        using var w = new Utf8JsonWriter(output, WriterOptions);
        w.WriteStartObject();
        w.WriteString("type", Type);
        WriteIf(w, "key", Key);
        w.WriteString("at", At);
        if (Provider is { } provider)
        {
            w.WriteString("provider", provider.ToString());
        }
        WriteIf(w, "account", Account);
        WriteIf(w, "input", InputHash);
        WriteIf(w, "id", JobId);
        WriteIf(w, "model", Model);
        if (State is { } state)
        {
            w.WriteString("state", state.ToString());
        }
        if (JobStatus is { } status)
        {
            w.WriteString("status", status.ToString());
        }
        if (Error is { } error)
        {
            w.WriteStartObject("error");
            w.WriteString("kind", error.Kind.ToString());
            WriteIf(w, "code", error.Code);
            w.WriteString("message", error.Message);
            w.WriteEndObject();
        }
        if (Request is { } request)
        {
            w.WriteStartObject("request");
            WriteIf(w, "model", request.Model);
            WriteIf(w, "prompt", request.Prompt);
            WriteIf(w, "image", request.FirstFrameImage);
            if (request.Duration is { } duration)
            {
                w.WriteNumber("duration", duration);
            }
            WriteIf(w, "resolution", request.Resolution);
            if (request.PromptOptimizer is { } optimizer)
            {
                w.WriteBoolean("promptOptimizer", optimizer);
            }
            if (request.FastPretreatment is { } fast)
            {
                w.WriteBoolean("fastPretreatment", fast);
            }
            WriteIf(w, "callbackUrl", request.CallbackUrl);
            w.WriteEndObject();
        }
        if (Tag is { Count: > 0 } tag)
        {
            w.WriteStartObject("tag");
            foreach (var pair in tag)
            {
                if (pair.Value is null)
                {
                    w.WriteNull(pair.Key);
                }
                else
                {
                    w.WriteString(pair.Key, pair.Value);
                }
            }
            w.WriteEndObject();
        }
        WriteIf(w, "created", CreatedAt);
        WriteIf(w, "started", StartedAt);
        WriteIf(w, "completed", CompletedAt);
        WriteIf(w, "fileId", FileId);
        WriteIf(w, "taskId", TaskId);
        WriteIf(w, "path", VideoPath);
        if (VideoLength is { } length)
        {
            w.WriteNumber("length", length);
        }
        WriteIf(w, "gen", Generation);
        if (Row is { } row)
        {
            w.WriteNumber("row", row);
        }
        WriteIf(w, "owner", Owner?.ToString());
        WriteIf(w, "downloadingTo", DownloadingTo);
        WriteIf(w, "downloader", Downloader?.ToString());
        w.WriteEndObject();
    }

    /// <summary>A record of what a job snapshot says (its link aside, which expires).</summary>
    public static LedgerRecord FromJob(string type, HailuoJob job) => new()
    {
        Type = type,
        Provider = job.Provider,
        JobId = job.Id,
        Model = job.Model,
        JobStatus = job.Status,
        Error = job.Error,
        StartedAt = job.StartedAt,
        CompletedAt = job.CompletedAt,
        FileId = job.FileId,
        TaskId = job.TaskId,
    };

    // The order Write puts them in, which Utf8NameTable tries first.
    private static readonly Utf8NameTable Fields = new(new[]
    {
        "type", "key", "at", "provider", "account", "input", "id", "model", "state", "status", "error", "request",
        "tag", "created", "started", "completed", "fileId", "taskId", "path", "length", "gen", "row", "owner",
        "downloadingTo", "downloader",
    });

    private static readonly Utf8NameTable ErrorFields = new(new[] { "kind", "code", "message" });

    private static readonly Utf8NameTable RequestFields = new(new[]
    {
        "model", "prompt", "image", "duration", "resolution", "promptOptimizer", "fastPretreatment", "callbackUrl",
    });

    /// <summary>
    /// Parses one line; null for anything torn, foreign or incomplete, which the reader then skips.
    /// <paramref name="pool"/> shares the strings that repeat from line to line.
    /// </summary>
    public static LedgerRecord? TryParse(ReadOnlySpan<byte> line, Utf8StringPool pool)
    {
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            var r = new LedgerRecord();
            var hasAt = false;
            var field = -1;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var found = Fields.Find(ref reader, field);
                field = found < 0 ? field : found;
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }
                switch (found)
                {
                    case 0: r.Type = pool.Read(ref reader) ?? ""; break;
                    case 1: r.Key = reader.GetString(); break;
                    case 2: r.At = reader.GetDateTimeOffset(); hasAt = true; break;
                    case 3: r.Provider = Utf8EnumNames<HailuoProvider>.Read(ref reader); break;
                    case 4: r.Account = pool.Read(ref reader); break;
                    case 5: r.InputHash = reader.GetString(); break;
                    case 6: r.JobId = reader.GetString(); break;
                    case 7: r.Model = pool.Read(ref reader); break;
                    case 8: r.State = Utf8EnumNames<LedgerState>.Read(ref reader); break;
                    case 9: r.JobStatus = Utf8EnumNames<JobStatus>.Read(ref reader); break;
                    case 10: r.Error = ReadError(ref reader); break;
                    case 11: r.Request = ReadRequest(ref reader, pool); break;
                    case 12: r.Tag = ReadTag(ref reader, pool); break;
                    case 13: r.CreatedAt = reader.GetDateTimeOffset(); break;
                    case 14: r.StartedAt = reader.GetDateTimeOffset(); break;
                    case 15: r.CompletedAt = reader.GetDateTimeOffset(); break;
                    case 16: r.FileId = reader.GetString(); break;
                    case 17: r.TaskId = reader.GetString(); break;
                    case 18: r.VideoPath = reader.GetString(); break;
                    case 19: r.VideoLength = reader.GetInt64(); break;
                    case 20: r.Generation = reader.GetString(); break;
                    case 21: r.Row = reader.GetInt64(); break;
                    case 22: r.Owner = ProcessStamp.Parse(reader.GetString()); break;
                    case 23: r.DownloadingTo = reader.GetString(); break;
                    case 24: r.Downloader = ProcessStamp.Parse(reader.GetString()); break;
                    default: reader.Skip(); break; // a field from a newer version
                }
            }
            // A torn line fails here: the object must close and nothing may follow it.
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return null;
            }
            return hasAt && r.IsComplete() ? r : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Whether the record has what its type needs; an unknown type is not applied.</summary>
    private bool IsComplete() => Type switch
    {
        Header => true,
        Moved => Generation is not null,
        Intent => Key is not null && Provider is not null && Account is not null && InputHash is not null,
        Submitted => Key is not null && Provider is not null && JobId is not null,
        Unknown => Key is not null,
        Rejected => Key is not null,
        Status => Provider is not null && JobId is not null && JobStatus is not null,
        Downloaded => Provider is not null && JobId is not null && VideoPath is not null && VideoLength is not null,
        Downloading => Provider is not null && JobId is not null && VideoPath is not null && Owner is not null,
        Abandoned => Provider is not null && JobId is not null,
        Snapshot => Key is not null && Provider is not null && State is not null,
        _ => false,
    };

    private static HailuoError ReadError(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        HailuoErrorKind? kind = null;
        string? code = null;
        string? message = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var found = ErrorFields.Find(ref reader);
            reader.Read();
            switch (found)
            {
                case 0: kind = Utf8EnumNames<HailuoErrorKind>.Read(ref reader); break;
                case 1: code = reader.TokenType == JsonTokenType.Null ? null : reader.GetString(); break;
                case 2: message = reader.GetString(); break;
                default: reader.Skip(); break;
            }
        }
        return new HailuoError(kind ?? throw new FormatException("An error without a kind."), message ?? "", code);
    }

    private static VideoRequest ReadRequest(ref Utf8JsonReader reader, Utf8StringPool pool)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        var request = new VideoRequest();
        var field = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var found = RequestFields.Find(ref reader, field);
            field = found < 0 ? field : found;
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }
            switch (found)
            {
                case 0: request.Model = pool.Read(ref reader); break;
                case 1: request.Prompt = reader.GetString(); break;
                case 2: request.FirstFrameImage = reader.GetString(); break;
                case 3: request.Duration = reader.GetInt32(); break;
                case 4: request.Resolution = pool.Read(ref reader); break;
                case 5: request.PromptOptimizer = reader.GetBoolean(); break;
                case 6: request.FastPretreatment = reader.GetBoolean(); break;
                case 7: request.CallbackUrl = reader.GetString(); break;
                default: reader.Skip(); break;
            }
        }
        return request;
    }

    private static IReadOnlyDictionary<string, string?> ReadTag(ref Utf8JsonReader reader, Utf8StringPool pool)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        var tag = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = pool.Read(ref reader)!;
            reader.Read();
            tag[name] = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
        }
        return LedgerRequest.FreezeTag(tag);
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (reader.TokenType != type)
        {
            throw new FormatException($"Expected {type}, found {reader.TokenType}.");
        }
    }

    private static void WriteIf(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteIf(Utf8JsonWriter w, string name, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, v);
        }
    }
}

/// <summary>What of a request and its tag the ledger keeps.</summary>
internal static class LedgerRequest
{
    /// <summary>
    /// A copy of the request that is safe to store: a data: URI image becomes <c>data:&lt;type&gt;;sha256=&lt;hex&gt;</c>
    /// (the hash of the decoded bytes, so it matches the image file's own SHA-256). Megabytes of base64 per line
    /// would bloat the ledger and its reads; the caller's input hash already identifies the image.
    /// </summary>
    public static VideoRequest Scrub(VideoRequest request)
    {
        var copy = request.Clone();
        if (copy.FirstFrameImage is { } image && image.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            copy.FirstFrameImage = ScrubDataUri(image);
        }
        return copy;
    }

    internal static string ScrubDataUri(string uri)
    {
        var comma = uri.IndexOf(',');
        var meta = comma < 0 ? uri.Substring(5) : uri.Substring(5, comma - 5);
        if (comma < 0 && meta.IndexOf(";sha256=", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return uri; // already scrubbed
        }
        var semicolon = meta.IndexOf(';');
        var mediaType = semicolon < 0 ? meta : meta.Substring(0, semicolon);
        var payload = comma < 0 ? "" : uri.Substring(comma + 1);
        byte[] bytes;
        if (meta.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                bytes = Convert.FromBase64String(payload);
            }
            catch (FormatException)
            {
                bytes = Encoding.UTF8.GetBytes(payload);
            }
        }
        else
        {
            bytes = Encoding.UTF8.GetBytes(Uri.UnescapeDataString(payload));
        }
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(bytes);
        var hex = new StringBuilder(hash.Length * 2);
        foreach (var b in hash)
        {
            hex.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return $"data:{mediaType};sha256={hex}";
    }

    /// <summary>A read-only, case-insensitive copy of a tag.</summary>
    public static IReadOnlyDictionary<string, string?> Freeze(IReadOnlyDictionary<string, string?>? tag)
    {
        if (tag is null || tag.Count == 0)
        {
            return LedgerEntry.NoTag;
        }
        var copy = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in tag)
        {
            copy[pair.Key] = pair.Value; // keys differing only in case: the last one wins
        }
        return FreezeTag(copy);
    }

    internal static IReadOnlyDictionary<string, string?> FreezeTag(Dictionary<string, string?> tag) =>
        tag.Count == 0 ? LedgerEntry.NoTag : new System.Collections.ObjectModel.ReadOnlyDictionary<string, string?>(tag);
}
