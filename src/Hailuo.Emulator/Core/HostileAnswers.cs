using System.Text;
using System.Text.Json.Serialization;

namespace Hailuo.Emulator.Core;

/// <summary>
/// An answer a hostile or broken server gives, set by a test in place of the emulator's own: a job id with a
/// path in it, a body that is not what it says it is, a Content-Length that lies, a redirect to another host.
/// Unlike a fault, it is aimed: at one provider's operation, optionally only for the job whose prompt holds a marker.
/// </summary>
public sealed class HostileAnswer
{
    /// <summary>A provider name, or null for all.</summary>
    public string? Provider { get; set; }

    [JsonConverter(typeof(JsonStringEnumConverter))]
    public Operation Operation { get; set; }

    /// <summary>Only requests about a job whose prompt contains this text; null for any request.</summary>
    public string? PromptContains { get; set; }

    /// <summary>How many answers this replaces; null for every matching one.</summary>
    public int? Times { get; set; } = 1;

    /// <summary>
    /// Runs the provider's own handler first, so that a create is made (and paid for) before this is answered
    /// instead; false answers without handling the request, and without reading its body.
    /// </summary>
    public bool Handle { get; set; } = true;

    /// <summary>Creates only: the job is made under this id, and the provider's own answer says so.</summary>
    public string? JobId { get; set; }

    /// <summary>The status to answer with; null keeps the provider's own answer (with <see cref="JobId"/> applied).</summary>
    public int? Status { get; set; }

    public string? ContentType { get; set; }

    /// <summary>
    /// The body. <c>{id}</c> is the job's id, <c>{video}</c> a signed link to its video, <c>{other}</c> the emulator's
    /// root under another host name (localhost for 127.0.0.1), <c>{video-elsewhere}</c> the link on that other host,
    /// <c>{nest}</c> <see cref="NestDepth"/> nested JSON arrays.
    /// </summary>
    public string? Body { get; set; }

    /// <summary>Serves the job's MP4 as the body (for downloads), after <see cref="Body"/> if both are given.</summary>
    public bool Video { get; set; }

    public int NestDepth { get; set; }

    /// <summary>Pads the body with spaces (valid JSON whitespace) up to this many bytes.</summary>
    public long? PadTo { get; set; }

    /// <summary>The Content-Length to declare. When it differs from the body, the lesser of the two is sent.</summary>
    public long? ContentLength { get; set; }

    /// <summary>Declares no length at all (chunked), so that the client learns the size only by reading.</summary>
    public bool Chunked { get; set; }

    /// <summary>Headers to send, such as Location or Content-Disposition; the placeholders of <see cref="Body"/> apply.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public HostileAnswer Clone()
    {
        var copy = (HostileAnswer)MemberwiseClone();
        copy.Headers = new Dictionary<string, string>(Headers, StringComparer.OrdinalIgnoreCase);
        return copy;
    }

    public void Validate()
    {
        if (Provider is not null && !ProviderNames.IsKnown(Provider))
        {
            throw new ArgumentException($"Hostile answer for unknown provider '{Provider}'. Use one of {string.Join(", ", ProviderNames.All)}.");
        }
        if (Times is < 1)
        {
            throw new ArgumentException("A hostile answer's times must be at least 1, or null for every request.");
        }
        if (NestDepth < 0 || PadTo < 0 || ContentLength < 0)
        {
            throw new ArgumentException("A hostile answer's nest depth, padding and Content-Length cannot be negative.");
        }
        if (Chunked && ContentLength is not null)
        {
            throw new ArgumentException("A hostile answer cannot both declare a Content-Length and be chunked.");
        }
        if (!Handle && Status is null)
        {
            throw new ArgumentException("A hostile answer that does not handle the request must give the status to answer with.");
        }
    }
}

/// <summary>A hostile answer chosen for one request, and the job it is about once known.</summary>
public sealed class HostileMatch(HostileAnswer answer)
{
    public HostileAnswer Answer { get; } = answer;

    public EmulatedJob? Job { get; set; }
}

/// <summary>The hostile answers waiting to be given; thread-safe.</summary>
public sealed class HostileAnswers
{
    private readonly object _gate = new();
    private List<(HostileAnswer Answer, int Left)> _answers = [];

    public IReadOnlyList<HostileAnswer> Answers
    {
        get
        {
            lock (_gate)
            {
                return _answers.Select(a => a.Answer).ToList();
            }
        }
    }

    public void Add(HostileAnswer answer)
    {
        answer.Validate();
        lock (_gate)
        {
            _answers.Add((answer, answer.Times ?? int.MaxValue));
        }
    }

    public void Replace(IEnumerable<HostileAnswer> answers)
    {
        var list = answers.ToList();
        list.ForEach(a => a.Validate());
        lock (_gate)
        {
            _answers = list.Select(a => (a, a.Times ?? int.MaxValue)).ToList();
        }
    }

    /// <summary>Whether any answer is waiting for this provider's operation; false lets a request skip the lookups.</summary>
    public bool AnyFor(string provider, Operation operation)
    {
        lock (_gate)
        {
            return _answers.Any(a => Applies(a.Answer, provider, operation));
        }
    }

    /// <summary>Uses up one answer for a request about a job with <paramref name="prompt"/> (null when unknown).</summary>
    public HostileAnswer? Take(string provider, Operation operation, string? prompt)
    {
        lock (_gate)
        {
            for (var i = 0; i < _answers.Count; i++)
            {
                var (answer, left) = _answers[i];
                if (!Applies(answer, provider, operation)
                    || (answer.PromptContains is { } marker && (prompt is null || !prompt.Contains(marker, StringComparison.Ordinal))))
                {
                    continue;
                }
                if (left == 1)
                {
                    _answers.RemoveAt(i);
                }
                else
                {
                    _answers[i] = (answer, left == int.MaxValue ? left : left - 1);
                }
                return answer;
            }
        }
        return null;
    }

    private static bool Applies(HostileAnswer answer, string provider, Operation operation) =>
        answer.Operation == operation && (answer.Provider is null || answer.Provider == provider);
}

/// <summary>A hostile answer as written: its status, headers and body, with a Content-Length that may lie.</summary>
public sealed class HostileReply(byte[] body, long? declaredLength, bool chunked, string? contentType) : Reply
{
    public override async Task WriteAsync(HttpContext context, Damage damage, ProviderStats stats)
    {
        WriteHead(context, Status);
        if (contentType is not null)
        {
            context.Response.ContentType = contentType;
        }
        if (chunked)
        {
            await context.Response.Body.WriteAsync(body);
            return;
        }
        var declared = declaredLength ?? body.Length;
        context.Response.ContentLength = declared;
        await context.Response.Body.WriteAsync(body.AsMemory(0, (int)Math.Min(declared, body.Length)));
        if (declared > body.Length)
        {
            // Short of the Content-Length: Kestrel closes the connection once what was written has gone out.
            await context.Response.Body.FlushAsync();
        }
    }

    /// <summary>Builds the reply for <paramref name="answer"/>, filling in its placeholders for <paramref name="job"/>.</summary>
    public static HostileReply For(HostileAnswer answer, EmulatedJob? job, string? videoLink, EmulatorState state)
    {
        string Fill(string text)
        {
            var other = state.PublicBaseUrl.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
            var filled = text.Replace("{id}", job?.Id ?? "", StringComparison.Ordinal)
                .Replace("{video}", videoLink ?? "", StringComparison.Ordinal)
                .Replace("{video-elsewhere}", videoLink?.Replace(state.PublicBaseUrl, other, StringComparison.Ordinal) ?? "", StringComparison.Ordinal)
                .Replace("{other}", other, StringComparison.Ordinal);
            return answer.NestDepth > 0 && filled.Contains("{nest}", StringComparison.Ordinal)
                ? filled.Replace("{nest}", new string('[', answer.NestDepth) + new string(']', answer.NestDepth), StringComparison.Ordinal)
                : filled;
        }

        var bytes = new MemoryStream();
        if (answer.Body is { } text)
        {
            bytes.Write(Encoding.UTF8.GetBytes(Fill(text)));
        }
        if (answer.Video && job is not null)
        {
            bytes.Write(state.Videos.Open(job.AssetKey, state.Options.VideoBytes).ToArray());
        }
        if (answer.PadTo is { } pad && pad > bytes.Length)
        {
            bytes.Write(Enumerable.Repeat((byte)' ', (int)(pad - bytes.Length)).ToArray());
        }
        var reply = new HostileReply(bytes.ToArray(), answer.ContentLength, answer.Chunked, answer.ContentType) { Status = answer.Status ?? StatusCodes.Status200OK };
        foreach (var (name, value) in answer.Headers)
        {
            reply.WithHeader(name, Fill(value));
        }
        return reply;
    }
}
