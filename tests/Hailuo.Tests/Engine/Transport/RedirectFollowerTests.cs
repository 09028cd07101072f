using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Hailuo.Transport;

namespace Hailuo.Tests.Engine.Transport;

/// <summary>
/// The one redirect follower of API calls and downloads: its hop limit, relative Locations, 303 as GET, and
/// credentials sent to their own origin only. A scripted handler answers in place of servers.
/// </summary>
public sealed class RedirectFollowerTests
{
    private static readonly Uri Api = new("https://api.example/v1/jobs/1");

    /// <summary>What a request carried when it reached the handler.</summary>
    private sealed record Seen(string Method, string Uri, string? Authorization, string? Body);

    /// <summary>Answers each request with what <paramref name="answer"/> makes of its address; records every request.</summary>
    private sealed class ScriptedHandler(Func<Uri, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public ConcurrentQueue<Seen> Requests { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Enqueue(new Seen(request.Method.Method, request.RequestUri!.ToString(), request.Headers.Authorization?.ToString(), body));
            return answer(request.RequestUri!);
        }
    }

    private static HttpResponseMessage Redirect(int status, string location)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status);
        // As a server sends it: the text of the header, parsed by HttpResponseHeaders.Location.
        response.Headers.TryAddWithoutValidation("Location", location);
        return response;
    }

    private static RedirectRules Rules(int maxRedirects = 5, Action<RedirectHop>? vet = null) => new()
    {
        MaxRedirects = maxRedirects,
        Authorize = request => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-test"),
        IsCredentialOrigin = uri => uri.Scheme == "https" && uri.Authority == "api.example",
        Vet = vet,
        TooMany = hop => new InvalidOperationException($"too many, the last from {hop.From} after {hop.Followed}"),
    };

    [Fact]
    public async Task A_redirect_loop_stops_after_the_hop_limit()
    {
        var handler = new ScriptedHandler(_ => Redirect(302, Api.ToString()));
        using var http = new HttpClient(handler);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            RedirectFollower.SendAsync(http, HttpMethod.Get, Api, Rules(maxRedirects: 3), null, CancellationToken.None));

        Assert.Equal($"too many, the last from {Api} after 3", error.Message);
        Assert.Equal(4, handler.Requests.Count);
    }

    [Fact]
    public async Task Relative_Locations_are_resolved_against_the_address_that_gave_them()
    {
        var handler = new ScriptedHandler(uri => uri.AbsolutePath switch
        {
            "/v1/jobs/1" => Redirect(307, "2?page=a"),
            "/v1/jobs/2" => Redirect(308, "/v2/jobs/3"),
            "/v2/jobs/3" => Redirect(302, "../files/video.mp4"),
            _ => new HttpResponseMessage(HttpStatusCode.OK),
        });
        using var http = new HttpClient(handler);

        var (response, landed, redirects) = await RedirectFollower.SendAsync(http, HttpMethod.Get, Api, Rules(), null, CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Uri("https://api.example/v2/files/video.mp4"), landed);
        Assert.Equal(3, redirects);
        Assert.Equal(["https://api.example/v1/jobs/1", "https://api.example/v1/jobs/2?page=a", "https://api.example/v2/jobs/3", "https://api.example/v2/files/video.mp4"],
            handler.Requests.Select(r => r.Uri));
    }

    [Fact]
    public async Task A_303_is_followed_with_a_GET_and_a_307_keeps_the_method_and_body()
    {
        var handler = new ScriptedHandler(uri => uri.AbsolutePath switch
        {
            "/v1/jobs/1" => Redirect(307, "/v1/jobs/2"),
            "/v1/jobs/2" => Redirect(303, "/v1/jobs/3"),
            _ => new HttpResponseMessage(HttpStatusCode.OK),
        });
        using var http = new HttpClient(handler);

        await RedirectFollower.SendAsync(http, HttpMethod.Post, Api, Rules(),
            request => request.Content = request.Method == HttpMethod.Post ? new StringContent("{}") : null, CancellationToken.None);

        Assert.Equal([("POST", "{}"), ("POST", "{}"), ("GET", null)], handler.Requests.Select(r => (r.Method, r.Body)));
    }

    [Fact]
    public async Task Credentials_go_to_their_own_origin_only_and_never_follow_a_redirect_elsewhere()
    {
        var handler = new ScriptedHandler(uri => (uri.Scheme, uri.Authority) switch
        {
            ("https", "api.example") when uri.AbsolutePath == "/v1/jobs/1" => Redirect(302, "https://cdn.example/v.mp4"),
            ("https", "cdn.example") => Redirect(302, "http://api.example/back"),
            ("http", "api.example") => Redirect(302, "https://api.example:8443/port"),
            ("https", "api.example:8443") => Redirect(302, "https://api.example/home"),
            _ => new HttpResponseMessage(HttpStatusCode.OK),
        });
        using var http = new HttpClient(handler);

        await RedirectFollower.SendAsync(http, HttpMethod.Get, Api, Rules(), null, CancellationToken.None);

        Assert.Equal(
            [
                ("https://api.example/v1/jobs/1", "Bearer sk-test"),
                ("https://cdn.example/v.mp4", null),
                ("http://api.example/back", null),
                ("https://api.example:8443/port", null),
                ("https://api.example/home", "Bearer sk-test"),
            ],
            handler.Requests.Select(r => (r.Uri, r.Authorization)));
    }

    [Fact]
    public async Task Without_an_authorizer_no_request_carries_credentials_and_a_client_that_adds_them_is_refused()
    {
        var handler = new ScriptedHandler(uri => uri.Authority == "cdn.example" ? Redirect(302, "https://other.example/v.mp4") : new HttpResponseMessage(HttpStatusCode.OK));
        using var http = new HttpClient(handler);
        var noCredentials = new RedirectRules { MaxRedirects = 5 };

        await RedirectFollower.SendAsync(http, HttpMethod.Get, new Uri("https://cdn.example/v.mp4"), noCredentials, null, CancellationToken.None);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk-leaked");
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            RedirectFollower.SendAsync(http, HttpMethod.Get, new Uri("https://cdn.example/v.mp4"), noCredentials, null, CancellationToken.None));

        Assert.Equal([("https://cdn.example/v.mp4", null), ("https://other.example/v.mp4", null)], handler.Requests.Select(r => (r.Uri, r.Authorization)));
        Assert.DoesNotContain("sk-leaked", refused.Message);
    }

    [Fact]
    public async Task A_hop_the_caller_refuses_is_never_sent()
    {
        var handler = new ScriptedHandler(_ => Redirect(302, "ftp://files.example/v.mp4"));
        using var http = new HttpClient(handler);
        var seen = new List<RedirectHop>();

        await Assert.ThrowsAsync<NotSupportedException>(() => RedirectFollower.SendAsync(http, HttpMethod.Get, Api, Rules(vet: hop =>
        {
            seen.Add(hop);
            throw new NotSupportedException(hop.To.Scheme);
        }), null, CancellationToken.None));

        Assert.Single(handler.Requests);
        var hop = Assert.Single(seen);
        Assert.Equal((Api, Api, new Uri("ftp://files.example/v.mp4"), 302, 0), (hop.Start, hop.From, hop.To, hop.Status, hop.Followed));
    }

    [Fact]
    public async Task A_redirect_status_without_a_Location_is_the_answer()
    {
        var handler = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.Found));
        using var http = new HttpClient(handler);

        var (response, landed, redirects) = await RedirectFollower.SendAsync(http, HttpMethod.Get, Api, Rules(), null, CancellationToken.None);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal((Api, 0), (landed, redirects));
    }
}
