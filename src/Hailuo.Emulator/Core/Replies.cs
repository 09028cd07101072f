using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hailuo.Emulator.Core;

/// <summary>How a reply is damaged on its way out, when a fault says so.</summary>
public enum Damage
{
    None,
    /// <summary>Send the full Content-Length, then stop part-way and close the connection.</summary>
    Truncate,
    /// <summary>Send a 200 whose body is not JSON.</summary>
    Malformed,
}

/// <summary>An answer the emulator writes; subclasses know how to write themselves damaged.</summary>
public abstract class Reply
{
    public int Status { get; init; } = StatusCodes.Status200OK;

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Reply WithHeader(string name, string value)
    {
        Headers[name] = value;
        return this;
    }

    public abstract Task WriteAsync(HttpContext context, Damage damage, ProviderStats stats);

    protected void WriteHead(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        foreach (var (name, value) in Headers)
        {
            context.Response.Headers[name] = value;
        }
    }
}

/// <summary>A body held in memory: JSON, or plain text.</summary>
public sealed class BodyReply : Reply
{
    // Relaxed escaping keeps URLs readable (& rather than \u0026); still valid JSON.
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly byte[] _body;
    private readonly bool _isJson;

    private BodyReply(byte[] body, int status, string contentType, bool isJson)
    {
        _body = body;
        Status = status;
        ContentType = contentType;
        _isJson = isJson;
    }

    public string ContentType { get; }

    public static BodyReply Json(JsonNode? body, int status = StatusCodes.Status200OK, string contentType = "application/json") =>
        new(Encoding.UTF8.GetBytes(body?.ToJsonString(Compact) ?? "null"), status, contentType, isJson: true);

    public static BodyReply Text(string text, int status, string contentType = "text/plain") =>
        new(Encoding.UTF8.GetBytes(text), status, contentType, isJson: false);

    public override async Task WriteAsync(HttpContext context, Damage damage, ProviderStats stats)
    {
        if (damage == Damage.Malformed && _isJson)
        {
            // Cut the document mid-token and add junk: a parser must reject it, not half-read it.
            WriteHead(context, Status);
            context.Response.ContentType = ContentType;
            var half = Encoding.UTF8.GetString(_body, 0, Math.Max(1, _body.Length / 2));
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(half + "<html>502 Bad Gateway"));
            return;
        }
        WriteHead(context, Status);
        context.Response.ContentType = ContentType;
        context.Response.ContentLength = _body.Length;
        if (damage == Damage.Truncate)
        {
            // Returning short of the Content-Length makes Kestrel close the connection once what was
            // written has gone out. context.Abort() would reset it instead, and a reset makes the
            // client's TCP stack discard bytes it has not read yet, headers included.
            await context.Response.Body.WriteAsync(_body.AsMemory(0, _body.Length / 2));
            await context.Response.Body.FlushAsync();
            return;
        }
        await context.Response.Body.WriteAsync(_body);
    }
}

/// <summary>An MP4 download honouring Range and If-Range, as a CDN serves it.</summary>
public sealed class VideoReply(VirtualVideo video, string fileName, bool headOnly) : Reply
{
    public override async Task WriteAsync(HttpContext context, Damage damage, ProviderStats stats)
    {
        var request = context.Request;
        var response = context.Response;
        long start = 0;
        var length = video.Length;
        var status = StatusCodes.Status200OK;
        var etag = video.ETag;

        var ifRange = request.Headers.IfRange.ToString();
        var rangeApplies = string.IsNullOrEmpty(ifRange) || ifRange == etag;
        var rangeHeader = request.Headers.Range.ToString();
        if (rangeApplies && !string.IsNullOrEmpty(rangeHeader))
        {
            var range = ParseRange(rangeHeader, video.Length);
            if (range is null)
            {
                WriteHead(context, StatusCodes.Status416RangeNotSatisfiable);
                response.Headers.ContentRange = $"bytes */{video.Length}";
                return;
            }
            (start, length) = range.Value;
            status = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {start}-{start + length - 1}/{video.Length}";
        }

        WriteHead(context, status);
        response.ContentType = "video/mp4";
        response.ContentLength = length;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.ETag = etag;
        response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        if (headOnly)
        {
            return;
        }
        var limit = damage == Damage.Truncate ? length / 2 : length;
        try
        {
            var sent = await video.WriteAsync(response.Body, start, length, limit, context.RequestAborted);
            Interlocked.Add(ref stats.BytesSent, sent);
        }
        catch (OperationCanceledException)
        {
            // The client went away; what it received is all it gets.
        }
        if (damage == Damage.Truncate)
        {
            // Short of the Content-Length: Kestrel closes the connection after sending what was written (see BodyReply).
            await response.Body.FlushAsync();
        }
    }

    /// <summary>One range of <c>bytes=a-b</c>, <c>bytes=a-</c> or <c>bytes=-n</c>; null when it cannot be satisfied.</summary>
    public static (long Start, long Length)? ParseRange(string header, long size)
    {
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(','))
        {
            return null;
        }
        var spec = header[6..].Trim();
        var dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return null;
        }
        var first = spec[..dash];
        var last = spec[(dash + 1)..];
        if (first.Length == 0)
        {
            if (!long.TryParse(last, out var suffix) || suffix <= 0)
            {
                return null;
            }
            suffix = Math.Min(suffix, size);
            return (size - suffix, suffix);
        }
        if (!long.TryParse(first, out var start) || start >= size || start < 0)
        {
            return null;
        }
        var end = size - 1;
        if (last.Length > 0 && (!long.TryParse(last, out end) || end < start))
        {
            return null;
        }
        end = Math.Min(end, size - 1);
        return (start, end - start + 1);
    }
}
