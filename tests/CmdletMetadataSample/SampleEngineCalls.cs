using System;
using System.IO;
using Hailuo.Credentials;
using Hailuo.Media;
using Hailuo.Models;
using Hailuo.Validation;

namespace CmdletMetadataSample;

/// <summary>Uses the engine across the load-context boundary, once wrongly, for the boundary check to find.</summary>
internal sealed class SampleEngineCalls : ICredentialSource
{
    /// <summary>Wrong: ReadOnlySpan comes from System.Memory, which binds to different copies on either side.</summary>
    public static bool LooksLikeVideo(byte[] head) => Mp4Inspector.LooksLikeMp4(new ReadOnlySpan<byte>(head));

    /// <summary>Fine: Stream and the result are framework and engine types.</summary>
    public static bool IsImage(Stream stream) => ImageProbe.Probe(stream) is not null;

    public HailuoCredential? GetCredential(HailuoProvider provider) => null;
}
