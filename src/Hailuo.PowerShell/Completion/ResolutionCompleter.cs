using System.Collections.Generic;
using Hailuo.Models;

namespace Hailuo.PowerShell.Completion;

/// <summary>The resolutions: 768p, 1080p.</summary>
public sealed class ResolutionCompleter : StaticSetCompleter
{
    private static readonly IReadOnlyList<string> Resolutions = new[] { VideoRequest.Resolution768, VideoRequest.Resolution1080 };

    public override IReadOnlyList<string> Values => Resolutions;
}
