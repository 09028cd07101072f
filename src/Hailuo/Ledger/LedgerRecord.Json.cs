// The ledger's line format: a LedgerRecord as one line of JSON, and a line read back into one. These are the
// bytes old ledgers hold and new ones must keep, so every field name the file uses is here and nowhere else.
// A part of LedgerRecord kept apart from LedgerRecord.cs, so that the model's file carries no serializer.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;
using Hailuo.Models;

namespace Hailuo.Ledger;

/// <summary>A record as one JSON line, and back.</summary>
internal sealed partial class LedgerRecord
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Prompts are often Chinese: keep them readable; control characters (and so newlines) are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    /// <summary>The record as one JSON line, ending in '\n'.</summary>
    public byte[] ToLine()
    {
        using var buffer = new MemoryStream(256);
        WriteLine(buffer);
        return buffer.ToArray();
    }

    /// <summary>Writes the record as one JSON line, ending in '\n'.</summary>
    public void WriteLine(Stream output)
    {
        Write(output);
        output.WriteByte((byte)'\n');
    }

    private void Write(Stream output)
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
        WriteIf(w, "video", VideoUri?.AbsoluteUri);
        w.WriteEndObject();
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

    // The order Write puts them in, which Utf8NameTable tries first.
    private static readonly Utf8NameTable Fields = new(new[]
    {
        "type", "key", "at", "provider", "account", "input", "id", "model", "state", "status", "error", "request",
        "tag", "created", "started", "completed", "fileId", "taskId", "path", "length", "gen", "row", "owner",
        "downloadingTo", "downloader", "video",
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
            while (Fields.NextValue(ref reader, ref field, out var found))
            {
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
                    case 25: r.VideoUri = ReadLink(ref reader); break;
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

    /// <summary>An http(s) link, or null for anything else: a hand-edited line must not send a download elsewhere.</summary>
    private static Uri? ReadLink(ref Utf8JsonReader reader) =>
        Uri.TryCreate(reader.GetString(), UriKind.Absolute, out var link) && (link.Scheme == Uri.UriSchemeHttps || link.Scheme == Uri.UriSchemeHttp)
            ? link
            : null;

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
        while (RequestFields.NextValue(ref reader, ref field, out var found))
        {
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
}
