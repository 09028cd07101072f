using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hailuo.Reliability;

/// <summary>What a loopback server was sent: enough to tell whether a key reached it.</summary>
public sealed record ReceivedRequest(string Method, string PathAndQuery, string? Authorization, string? ApiKey)
{
    public bool CarriesCredential => !string.IsNullOrEmpty(Authorization) || !string.IsNullOrEmpty(ApiKey);

    public string? Credential => !string.IsNullOrEmpty(ApiKey) ? ApiKey
        : Authorization is { } auth && auth.IndexOf(' ') is var space and > 0 ? auth[(space + 1)..] : Authorization;
}

/// <summary>
/// A Kestrel server on a loopback address of its own that records every request's credentials, then
/// either answers through <see cref="Route"/> (a redirect, say) or relays the request to an upstream
/// (the emulator). It stands for "another host": a CDN, a mirror, or a provider that misbehaves.
/// </summary>
public sealed class LoopbackRelay : IAsyncDisposable
{
    private static readonly HttpClient Upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
    {
        Timeout = TimeSpan.FromMinutes(2),
    };

    private static readonly string[] CopiedRequestHeaders = ["Authorization", "X-API-Key", "Range", "If-Range", "Prefer"];
    private static readonly string[] DroppedResponseHeaders = ["Transfer-Encoding", "Connection", "Keep-Alive", "Server", "Date"];

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();

    private LoopbackRelay(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The root, such as http://127.0.0.2:41234, without a trailing slash.</summary>
    public string Url { get; private set; }

    public IReadOnlyCollection<ReceivedRequest> Received => _received.ToArray();

    /// <summary>Where requests go that <see cref="Route"/> does not answer; null answers 404.</summary>
    public Uri? UpstreamRoot { get; set; }

    /// <summary>Replaces the caller's credential on the way upstream: a mirror with an account of its own.</summary>
    public (string Header, string Value)? OwnCredential { get; set; }

    /// <summary>Answers a request itself (true) instead of relaying it.</summary>
    public Func<HttpContext, Task<bool>>? Route { get; set; }

    /// <summary>Rewrites a relayed answer's body (not videos): for a provider that echoes what it was sent.</summary>
    public Func<ReceivedRequest, int, string, string>? RewriteBody { get; set; }

    /// <summary>Starts on <paramref name="host"/> (a loopback address) and a free port; https with <paramref name="certificate"/>.</summary>
    public static async Task<LoopbackRelay> StartAsync(string host = "127.0.0.1", X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (certificate is null)
        {
            builder.WebHost.UseUrls($"http://{host}:0");
        }
        else
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(host), 0, l => l.UseHttps(certificate)));
        }
        var app = builder.Build();
        LoopbackRelay? relay = null;
        app.Run(context => relay!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        relay = new LoopbackRelay(app, address);
        return relay;
    }

    /// <summary>This server's root under another name for the same address, as "localhost" is to 127.0.0.1.</summary>
    public string UrlAs(string hostName) => new UriBuilder(Url) { Host = hostName }.Uri.ToString().TrimEnd('/');

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var received = new ReceivedRequest(request.Method, request.Path + request.QueryString,
            request.Headers.Authorization.FirstOrDefault(), request.Headers["X-API-Key"].FirstOrDefault());
        _received.Enqueue(received);
        if (Route is { } route && await route(context))
        {
            return;
        }
        if (UpstreamRoot is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        await RelayAsync(context, received);
    }

    private async Task RelayAsync(HttpContext context, ReceivedRequest received)
    {
        var request = context.Request;
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(UpstreamRoot!, request.Path + request.QueryString));
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            var body = new MemoryStream();
            await request.Body.CopyToAsync(body, context.RequestAborted);
            forward.Content = new ByteArrayContent(body.ToArray());
            if (request.ContentType is { } type)
            {
                forward.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }
        foreach (var name in CopiedRequestHeaders)
        {
            if (request.Headers.TryGetValue(name, out var value) && (OwnCredential is null || name is not ("Authorization" or "X-API-Key")))
            {
                forward.Headers.TryAddWithoutValidation(name, value.ToArray());
            }
        }
        if (OwnCredential is { } own)
        {
            forward.Headers.TryAddWithoutValidation(own.Header, own.Value);
        }
        HttpResponseMessage answer;
        try
        {
            answer = await Upstream.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException)
        {
            // The upstream reset or dropped the connection (an injected fault): pass that on.
            context.Abort();
            return;
        }
        using (answer)
        {
            var response = context.Response;
            response.StatusCode = (int)answer.StatusCode;
            foreach (var header in answer.Headers.Concat(answer.Content.Headers))
            {
                if (!DroppedResponseHeaders.Contains(header.Key, StringComparer.OrdinalIgnoreCase))
                {
                    response.Headers[header.Key] = header.Value.ToArray();
                }
            }
            var isVideo = answer.Content.Headers.ContentType?.MediaType == "video/mp4";
            try
            {
                if (RewriteBody is { } rewrite && !isVideo && !HttpMethods.IsHead(request.Method))
                {
                    var text = rewrite(received, (int)answer.StatusCode, await answer.Content.ReadAsStringAsync(context.RequestAborted));
                    var bytes = Encoding.UTF8.GetBytes(text);
                    response.ContentLength = bytes.Length;
                    await response.Body.WriteAsync(bytes, context.RequestAborted);
                    return;
                }
                await answer.Content.CopyToAsync(response.Body, context.RequestAborted);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                // The upstream cut its answer short (an injected truncation): so does the relay.
                context.Abort();
            }
        }
    }

    /// <summary>A redirect to the same path and query under another root.</summary>
    public static Task<bool> RedirectTo(HttpContext context, string root, int status)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Location = root + context.Request.Path + context.Request.QueryString;
        return Task.FromResult(true);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>
    /// A provider that echoes the credential it was sent into every error text of its answers, in each form a provider or
    /// gateway may give it back (see <see cref="EchoForms"/>); a body that is not JSON (a damaged one) gets it prefixed, raw
    /// and JSON-escaped, as a cut-short document would carry it.
    /// </summary>
    public static string EchoCredential(ReceivedRequest request, int status, string body)
    {
        var credential = request.Credential ?? "";
        try
        {
            if (JsonNode.Parse(body) is JsonObject root)
            {
                Echo(root, credential);
                return root.ToJsonString();
            }
            return body;
        }
        catch (JsonException)
        {
            // In front, where the first lines of a body that messages quote will show it.
            return "key=" + credential + " {\"key\":" + JsonSerializer.Serialize(credential) + "} " + EchoForms(credential) + " " + body;
        }
    }

    /// <summary>
    /// The credential as an error text may echo it: as is, JSON-escaped (as text, so that it survives the answer's own
    /// parsing), URL-encoded, and inside base64 as an echoed Authorization header carries it (Bearer, and Basic with no user name).
    /// </summary>
    public static string EchoForms(string credential) =>
        $"(you sent {credential}) (as JSON {JsonSerializer.Serialize(credential)[1..^1]}) (as a query {Uri.EscapeDataString(credential)}) " +
        $"(header {Convert.ToBase64String(Encoding.UTF8.GetBytes("Bearer " + credential))}) (basic {Convert.ToBase64String(Encoding.UTF8.GetBytes(":" + credential))})";

    private static readonly HashSet<string> ErrorFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "error", "message", "detail", "title", "status_msg", "msg", "reason",
    };

    private static void Echo(JsonNode? node, string credential)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (ErrorFields.Contains(name) && value is JsonValue text && text.TryGetValue<string>(out var s))
                    {
                        obj[name] = $"{s} {EchoForms(credential)}";
                    }
                    else
                    {
                        Echo(value, credential);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Echo(item, credential);
                }
                break;
        }
    }

    /// <summary>A self-signed certificate for localhost and 127.0.0.1, for an https server on loopback.</summary>
    public static X509Certificate2 LoopbackCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        // Round-tripped through PKCS#12 so that the private key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}

/// <summary>How a <see cref="HostileServer"/> answers.</summary>
public enum Hostility
{
    /// <summary>Accepts the connection, reads the request, and never answers.</summary>
    Silent,
    /// <summary>Sends the status line and headers, a few bytes of the body, then nothing more.</summary>
    HeadersThenStall,
    /// <summary>Sends the headers, then the body one byte at a time, forever.</summary>
    Trickle,
    /// <summary>Sends <see cref="HostileServer.Body"/> whole, framed as <see cref="HostileServer.Framing"/> says.</summary>
    Serve,
}

/// <summary>How a served body is framed.</summary>
public enum BodyFraming
{
    /// <summary>The Content-Length that <see cref="HostileServer.AnnouncedLength"/> says, whatever the body's size.</summary>
    ContentLength,
    /// <summary>Chunked, so the length is never announced.</summary>
    Chunked,
}

/// <summary>
/// A raw TCP server on 127.0.0.1 that speaks just enough HTTP/1.1 to misbehave in ways Kestrel will
/// not: never answering, stalling mid-body, trickling, or sending more than it announced.
/// </summary>
public sealed class HostileServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private readonly Task _accepting;
    private int _connections;

    public HostileServer(Hostility behaviour)
    {
        Behaviour = behaviour;
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptAsync();
    }

    public Hostility Behaviour { get; }

    public string Url { get; }

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The body bytes (an MP4 for downloads); the JSON <c>{"id":"x"...</c> start for API calls by default.</summary>
    public byte[] Body { get; set; } = Encoding.UTF8.GetBytes("{\"id\":\"job-1\",\"status\":\"processing\",\"padding\":\"" + new string('x', 4096) + "\"}");

    public string ContentType { get; set; } = "application/json";

    /// <summary>The Content-Length sent; null sends the body's own length.</summary>
    public long? AnnouncedLength { get; set; }

    public BodyFraming Framing { get; set; } = BodyFraming.ContentLength;

    /// <summary>The gap between two bytes of a trickle.</summary>
    public TimeSpan TrickleInterval { get; set; } = TimeSpan.FromSeconds(1);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            _clients.Add(client);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var token = _stop.Token;
        try
        {
            var stream = client.GetStream();
            await ReadHeadAsync(stream, token);
            switch (Behaviour)
            {
                case Hostility.Silent:
                    await Task.Delay(Timeout.Infinite, token);
                    break;
                case Hostility.HeadersThenStall:
                    await WriteHeadAsync(stream, Body.Length, token);
                    await stream.WriteAsync(Body.AsMemory(0, Math.Min(16, Body.Length)), token);
                    await Task.Delay(Timeout.Infinite, token);
                    break;
                case Hostility.Trickle:
                    await WriteHeadAsync(stream, Body.Length, token);
                    for (var i = 0; ; i = (i + 1) % Body.Length)
                    {
                        await stream.WriteAsync(Body.AsMemory(i, 1), token);
                        await Task.Delay(TrickleInterval, token);
                    }
                default:
                    await ServeBodyAsync(stream, token);
                    client.Client.Shutdown(SocketShutdown.Send);
                    break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The client gave up, which is what these servers are for.
        }
    }

    private async Task ServeBodyAsync(NetworkStream stream, CancellationToken token)
    {
        if (Framing == BodyFraming.ContentLength)
        {
            await WriteHeadAsync(stream, AnnouncedLength ?? Body.Length, token);
            await stream.WriteAsync(Body, token);
            return;
        }
        var head = $"HTTP/1.1 200 OK\r\nContent-Type: {ContentType}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), token);
        for (var offset = 0; offset < Body.Length; offset += 65536)
        {
            var size = Math.Min(65536, Body.Length - offset);
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{size:x}\r\n"), token);
            await stream.WriteAsync(Body.AsMemory(offset, size), token);
            await stream.WriteAsync("\r\n"u8.ToArray(), token);
        }
        await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), token);
    }

    private Task WriteHeadAsync(NetworkStream stream, long length, CancellationToken token) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 200 OK\r\nContent-Type: {ContentType}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"), token).AsTask();

    /// <summary>Reads up to the blank line that ends a request's headers; any body is left unread.</summary>
    private static async Task ReadHeadAsync(NetworkStream stream, CancellationToken token)
    {
        var window = 0u;
        var one = new byte[1];
        while (await stream.ReadAsync(one, token) == 1)
        {
            window = (window << 8) | one[0];
            if (window == 0x0D0A0D0A)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
