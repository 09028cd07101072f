using System.Text;
using Hailuo.Credentials;

namespace Hailuo.Tests.Engine.Credentials;

/// <summary>The key blanked in every form a provider or gateway may echo it in, when provider text becomes words.</summary>
public sealed class KeyRedactionTests
{
    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Base64Url(string text) => Base64(text).Replace('+', '-').Replace('/', '_').TrimEnd('=');

    public static TheoryData<string> Keys => new() { "k", "a", "0", "sk-1", "hl-canary-Zm9v+/YmFyYmF6cXV4cXV1eA", "sk-live-4f9c2e7a1b8d3c6e5f0a" };

    [Theory]
    [MemberData(nameof(Keys))]
    public void An_echoed_authorization_or_basic_header_is_blanked_whatever_the_keys_length(string key)
    {
        var credential = new HailuoCredential(key, "test");
        var echoes = new[] { Base64("Bearer " + key), Base64("Token " + key), Base64(":" + key), Base64Url("Bearer " + key), Base64Url(":" + key) };

        var shown = credential.Redact("gateway says: " + string.Join(" | ", echoes));

        foreach (var echo in echoes)
        {
            // Padding alone may stay: what is left must not decode to the key.
            Assert.DoesNotContain(echo.TrimEnd('='), shown, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Authorization: Bearer ")]
    [InlineData("user:")]
    [InlineData("x")]
    [InlineData("")]
    public void A_long_key_is_blanked_inside_base64_of_any_text_around_it(string before)
    {
        const string key = "sk-live-4f9c2e7a1b8d3c6e5f0a";
        var credential = new HailuoCredential(key, "test");
        var encoded = Base64(before + key + " and more after it");

        var shown = credential.Redact("echoed " + encoded + " and " + encoded.Replace('+', '-').Replace('/', '_'));

        Assert.DoesNotContain(encoded, shown, StringComparison.Ordinal);
        // What is left of the encoded text around the blank decodes to no more than a few of the key's characters.
        Assert.Contains("***", shown, StringComparison.Ordinal);
        foreach (var part in shown.Split(["***", " "], StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.DoesNotContain(key[..8], DecodeLoosely(part), StringComparison.Ordinal);
        }
    }

    /// <summary>A fragment of base64 decoded at each alignment, as someone reading it would try.</summary>
    private static string DecodeLoosely(string fragment)
    {
        var text = new StringBuilder();
        var standard = fragment.Replace('-', '+').Replace('_', '/').TrimEnd('=');
        for (var skip = 0; skip < 4 && skip < standard.Length; skip++)
        {
            var body = standard[skip..];
            body = body[..(body.Length / 4 * 4)];
            try
            {
                text.Append(Encoding.Latin1.GetString(Convert.FromBase64String(body))).Append('\n');
            }
            catch (FormatException)
            {
                // Not base64 at this alignment.
            }
        }
        return text.ToString();
    }
}
