using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Hailuo.Models;
using Hailuo.Providers;

namespace Hailuo.Credentials;

/// <summary>
/// An API key. It is only ever written into an auth header: ToString, exceptions, logs and the
/// ledger see a fingerprint at most.
/// </summary>
public sealed class HailuoCredential
{
    private readonly string _secret;
    // The key as a provider or gateway might echo it back: as is, escaped inside JSON, URL-encoded (any case of hex
    // digit), and inside base64 (an echoed Authorization or Basic header): compared case-sensitively, as base64 is.
    private readonly string[] _echoes;
    private readonly string[] _base64Echoes;

    public HailuoCredential(string secret, string source)
    {
        if (string.IsNullOrWhiteSpace(secret))
        {
            throw new ArgumentException("The API key is empty.", nameof(secret));
        }
        _secret = secret.Trim();
        Source = source;
        Fingerprint = ComputeFingerprint(_secret);
        // Most keys read the same in every form: scan each body once per distinct form, not three times.
        _echoes = new[] { _secret, System.Text.Json.JsonEncodedText.Encode(_secret).ToString(), Uri.EscapeDataString(_secret) }
            .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        _base64Echoes = Base64Echoes(Encoding.UTF8.GetBytes(_secret));
    }

    /// <summary>
    /// The base64 (and base64url) characters that only the key's bytes decide, at each of the three byte alignments
    /// it can have inside a longer encoded value, such as base64("Bearer " + key) or base64(":" + key). Short keys
    /// give runs too short to tell from other base64, and are left out there; the headers a gateway echoes whole
    /// (Bearer, Token, Basic with no user name) are blanked whole, whatever the key's length, their prefix making them
    /// tell apart from other text.
    /// </summary>
    private static string[] Base64Echoes(byte[] key)
    {
        var echoes = new System.Collections.Generic.List<string>();
        foreach (var header in new[] { "Bearer ", "Token ", ":" })
        {
            var whole = Encoding.UTF8.GetBytes(header).Concat(key).ToArray();
            var encoded = Convert.ToBase64String(whole).TrimEnd('=');
            echoes.Add(encoded);
            echoes.Add(encoded.Replace('+', '-').Replace('/', '_'));
        }
        for (var offset = 0; offset < 3; offset++)
        {
            var padded = new byte[offset + key.Length];
            Array.Copy(key, 0, padded, offset, key.Length);
            var encoded = Convert.ToBase64String(padded);
            // Character i encodes bits 6i..6i+5: whole from the key from the first that starts at or after its first bit,
            // up to the last that ends at or before its last bit.
            var first = (offset * 8 + 5) / 6;
            var last = (padded.Length * 8) / 6;
            if (last - first >= 8)
            {
                var run = encoded.Substring(first, last - first);
                echoes.Add(run);
                echoes.Add(run.Replace('+', '-').Replace('/', '_'));
            }
        }
        return echoes.Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Where the key came from, for messages: "SecretManagement vault MyVault", "CORE_TODAY_API_KEY", ...</summary>
    public string Source { get; }

    /// <summary>A salted hash that identifies the account without revealing the key.</summary>
    public string Fingerprint { get; }

    internal string Reveal() => _secret;

    /// <summary>The text with the key, in any of the forms it may be echoed in, replaced by ***.</summary>
    internal string Redact(string text)
    {
        // Base64 first: its runs can hold a plain echo's letters by chance, never the other way round.
        foreach (var echo in _base64Echoes)
        {
            text = Blank(text, echo, StringComparison.Ordinal);
        }
        foreach (var echo in _echoes)
        {
            // Case-insensitive: JSON and URL escapes may be written with either case of hex digit.
            text = Blank(text, echo, StringComparison.OrdinalIgnoreCase);
        }
        return text;
    }

    private static string Blank(string text, string echo, StringComparison comparison)
    {
        for (var at = text.IndexOf(echo, comparison); at >= 0; at = text.IndexOf(echo, at + 3, comparison))
        {
            text = text.Substring(0, at) + "***" + text.Substring(at + echo.Length);
        }
        return text;
    }

    /// <summary>The error with the key blanked in its message: provider text on its way to words.</summary>
    internal HailuoError Scrub(HailuoError error) => error.WithMessage(Redact(error.Message));

    /// <summary>The job with the key blanked in its error, the one field of a provider's answer that becomes words.</summary>
    internal HailuoJob Scrub(HailuoJob job) => job.Error is { } error ? job.With(error: Scrub(error)) : job;

    /// <summary>Hands a message to <paramref name="log"/>, if there is one, with the key redacted: the one way engine text reaches a log.</summary>
    internal void LogRedacted(Action<HailuoLogLevel, string>? log, HailuoLogLevel level, string message) => log?.Invoke(level, Redact(message));

    public override string ToString() => $"API key from {Source} (account {Fingerprint})";

    private static string ComputeFingerprint(string secret)
    {
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes("hailuo-account-fingerprint"));
        return Hex.Lower(hmac.ComputeHash(Encoding.UTF8.GetBytes(secret)), count: 8);
    }
}

/// <summary>Where keys come from: the cmdlets fill it from SecretManagement, a session key or the environment.</summary>
public interface ICredentialSource
{
    /// <summary>The key for a provider, or null when this source has none.</summary>
    HailuoCredential? GetCredential(HailuoProvider provider);
}

/// <summary>A key given directly, as Connect-Hailuo -ApiKey or a SecretManagement secret does.</summary>
public sealed class StaticCredentialSource : ICredentialSource
{
    private readonly HailuoCredential _credential;

    public StaticCredentialSource(HailuoCredential credential) => _credential = credential;

    public HailuoCredential GetCredential(HailuoProvider provider) => _credential;
}

/// <summary>
/// The documented environment variables: each provider's own (CORE_TODAY_API_KEY and the others its profile names),
/// HAILUO_API_KEY for any provider, and CLOUDFLARE_ACCOUNT_ID beside Cloudflare's token.
/// </summary>
public sealed class EnvironmentCredentialSource : ICredentialSource
{
    public const string Generic = "HAILUO_API_KEY";
    public const string CloudflareAccountVariable = "CLOUDFLARE_ACCOUNT_ID";

    private readonly Func<string, string?> _read;

    public EnvironmentCredentialSource(Func<string, string?>? read = null)
    {
        _read = read ?? Environment.GetEnvironmentVariable;
    }

    public HailuoCredential? GetCredential(HailuoProvider provider)
    {
        foreach (var name in VariablesFor(provider))
        {
            var value = _read(name);
            if (!string.IsNullOrWhiteSpace(value))
            {
                return new HailuoCredential(value!, $"environment variable {name}");
            }
        }
        return null;
    }

    public string? CloudflareAccountId => _read(CloudflareAccountVariable) is { Length: > 0 } id ? id.Trim() : null;

    /// <summary>Names of the variables consulted for a provider, in order: its own (<see cref="ProviderProfile.CredentialVariable"/>), then the generic one.</summary>
    public static IReadOnlyList<string> VariablesFor(HailuoProvider provider) => new[] { ProviderProfiles.For(provider).CredentialVariable, Generic };
}
