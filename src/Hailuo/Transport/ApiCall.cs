using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Tasks;
using Hailuo.Models;

namespace Hailuo.Transport;

/// <summary>One API request, described so that each retry can build it afresh.</summary>
internal sealed class ApiCall
{
    public ApiCall(HttpMethod method, Uri uri, byte[]? jsonBody = null, bool isCreate = false)
    {
        Method = method;
        Uri = uri;
        JsonBody = jsonBody;
        IsCreate = isCreate;
    }

    public HttpMethod Method { get; }

    public Uri Uri { get; }

    public byte[]? JsonBody { get; }

    /// <summary>A paid create: retried only when it provably did not reach the provider.</summary>
    public bool IsCreate { get; }

    /// <summary>
    /// How long the provider may hold one attempt, where the call is answered only when the video is ready: a time of the
    /// provider's, so it passes at its pace (EmulatedTime), but never below the client's AttemptTimeout. Null: AttemptTimeout.
    /// </summary>
    public TimeSpan? Timeout { get; set; }

    public static ApiCall Json(HttpMethod method, Uri uri, object body, bool isCreate = false) =>
        new(method, uri, JsonSerializer.SerializeToUtf8Bytes(body), isCreate);
}

/// <summary>An answer read whole (API replies are small), with the error the provider's adapter saw in it.</summary>
internal sealed class ApiResponse : IDisposable
{
    public ApiResponse(HttpStatusCode status, string body, JsonDocument? json, HailuoError? error)
    {
        Status = status;
        Body = body;
        JsonDocument = json;
        Error = error;
    }

    public HttpStatusCode Status { get; }

    public string Body { get; }

    public JsonDocument? JsonDocument { get; }

    public JsonElement Root => JsonDocument?.RootElement ?? default;

    public HailuoError? Error { get; }

    public void Dispose() => JsonDocument?.Dispose();
}

/// <summary>
/// A request body that knows whether it has started to go out. Sent with Expect: 100-continue, a
/// create whose body never left this process provably never reached the provider, so it may be
/// retried. It refuses to be sent twice, so no layer below can quietly repeat a paid create.
/// </summary>
internal sealed class TrackedContent : HttpContent
{
    private readonly byte[] _body;
    private int _started;

    public TrackedContent(byte[] body, string mediaType = "application/json")
    {
        _body = body;
        Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
    }

    public bool Started => System.Threading.Volatile.Read(ref _started) != 0;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        if (System.Threading.Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("A create's body was about to be sent a second time on the same attempt; refused so that it cannot be paid for twice.");
        }
        return stream.WriteAsync(_body, 0, _body.Length);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length;
        return true;
    }
}
