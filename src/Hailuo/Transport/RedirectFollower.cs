using System;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;

namespace Hailuo.Transport;

/// <summary>
/// Sends a request and follows its redirects by hand, for API calls and downloads alike. The handler's own following
/// stays off (AllowAutoRedirect = false): it would follow to any scheme (ftp: is tried as HTTP on port 21; file:
/// throws) and leaves to the handler which headers go to the next host. Here each hop is a fresh request: a 301, 302,
/// 303, 307 or 308 with a Location is followed, relative Locations against the address that gave them, a 303 as a
/// GET; credentials go only to their own origin, and no hop elsewhere carries any.
/// </summary>
internal static class RedirectFollower
{
    public static bool IsRedirect(int status) => status is 301 or 302 or 303 or 307 or 308;

    /// <summary>
    /// The answer of the last hop, which is not a redirect (a redirect without a Location is an answer too), with
    /// the address that gave it and the redirects followed to get there. The last hop's request is left to the
    /// response (<see cref="HttpResponseMessage.RequestMessage"/>): its body may still be going out. <c>prepare</c>
    /// adds headers and body to each hop's fresh request, whose method and address are already set.
    /// </summary>
    public static async Task<(HttpResponseMessage Response, Uri Uri, int Redirects)> SendAsync(
        HttpClient http, HttpMethod method, Uri uri, RedirectRules rules, Action<HttpRequestMessage>? prepare, CancellationToken cancellationToken)
    {
        var start = uri;
        for (var followed = 0; ; followed++)
        {
            var request = new HttpRequestMessage(method, uri);
            HttpResponseMessage response;
            try
            {
                prepare?.Invoke(request);
                if (rules.Authorize is not null && rules.IsCredentialOrigin(uri))
                {
                    rules.Authorize(request);
                }
                else if (CarriesCredentials(request.Headers) || CarriesCredentials(http.DefaultRequestHeaders))
                {
                    throw new InvalidOperationException($"A request to {uri.Scheme}://{uri.Authority} carried credentials that do not belong there; it was not sent.");
                }
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                request.Dispose();
                throw;
            }
            var status = (int)response.StatusCode;
            if (!IsRedirect(status) || response.Headers.Location is not { } location)
            {
                return (response, uri, followed);
            }
            response.Dispose();
            request.Dispose();
            var hop = new RedirectHop(start, uri, location.IsAbsoluteUri ? location : new Uri(uri, location), status, method, followed);
            if (followed >= rules.MaxRedirects)
            {
                throw rules.TooMany(hop);
            }
            rules.Vet?.Invoke(hop);
            uri = hop.To;
            method = status == 303 ? HttpMethod.Get : method;
        }
    }

    /// <summary>Headers that carry credentials: a key, a token or a session. Download links are signed in their URL and need none.</summary>
    public static bool CarriesCredentials(HttpHeaders headers) =>
        headers.Contains("Authorization") || headers.Contains("X-API-Key") || headers.Contains("Cookie");
}

/// <summary>One redirect about to be followed, for <see cref="RedirectRules.Vet"/> and <see cref="RedirectRules.TooMany"/>.</summary>
/// <param name="Start">The address the request was first sent to, before any redirect.</param>
/// <param name="From">The address that answered with the redirect.</param>
/// <param name="To">Its Location, made absolute against <paramref name="From"/>.</param>
/// <param name="Status">The redirect's status: 301, 302, 303, 307 or 308.</param>
/// <param name="Method">The method of the request that was redirected.</param>
/// <param name="Followed">Redirects already followed before this one.</param>
internal sealed record RedirectHop(Uri Start, Uri From, Uri To, int Status, HttpMethod Method, int Followed);

/// <summary>What one caller allows while following redirects: how many, to where, and whose credentials go where.</summary>
internal sealed class RedirectRules
{
    public int MaxRedirects { get; init; }

    /// <summary>Adds the credentials; called only for a hop to <see cref="IsCredentialOrigin"/>. Null: none are ever sent.</summary>
    public Action<HttpRequestMessage>? Authorize { get; init; }

    /// <summary>The origin the credentials belong to: the API's own.</summary>
    public Func<Uri, bool> IsCredentialOrigin { get; init; } = _ => false;

    /// <summary>Throws when a redirect must not be followed: a scheme, a host, or a method the caller refuses.</summary>
    public Action<RedirectHop>? Vet { get; init; }

    /// <summary>The error for a redirect past <see cref="MaxRedirects"/>.</summary>
    public Func<RedirectHop, Exception> TooMany { get; init; } = hop => new InvalidOperationException($"More than {hop.Followed} redirects.");
}
